// CLuaShim: the only C that Nightshift writes.
//
// - Lua's macros as static inline functions, named after what they wrap.
// - The one trampoline through which Lua calls Swift: Swift returns a count or a sentinel,
//   and C raises the Lua error after the Swift frame is gone (no longjmp crosses Swift).
// - The limit allocator, the count hook (instructions, wall-clock deadline, interrupt) and
//   the sandbox's wrapped base functions.
#ifndef CLUASHIM_H
#define CLUASHIM_H

#include <stddef.h>
#include <stdint.h>
#include <lua.h>
#include <lualib.h>
#include <lauxlib.h>

// MARK: - Lua's macros as functions

static inline void ns_pop(lua_State *L, int n) { lua_settop(L, -(n)-1); }
static inline void ns_newtable(lua_State *L) { lua_createtable(L, 0, 0); }
static inline int ns_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline int ns_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline int ns_pcall(lua_State *L, int nargs, int nresults, int msgh) {
    return lua_pcallk(L, nargs, nresults, msgh, 0, NULL);
}
static inline lua_Number ns_tonumber(lua_State *L, int idx, int *isnum) { return lua_tonumberx(L, idx, isnum); }
static inline lua_Integer ns_tointeger(lua_State *L, int idx, int *isnum) { return lua_tointegerx(L, idx, isnum); }
static inline const char *ns_tolstring(lua_State *L, int idx, size_t *len) { return lua_tolstring(L, idx, len); }
static inline void ns_insert(lua_State *L, int idx) { lua_rotate(L, idx, 1); }
static inline void ns_remove(lua_State *L, int idx) { lua_rotate(L, idx, -1); lua_settop(L, -2); }
static inline int ns_gc_collect(lua_State *L) { return lua_gc(L, LUA_GCCOLLECT); }
static inline int ns_isinteger(lua_State *L, int idx) { return lua_isinteger(L, idx); }

enum {
    NS_LUA_OK = LUA_OK,
    NS_LUA_ERRRUN = LUA_ERRRUN,
    NS_LUA_ERRSYNTAX = LUA_ERRSYNTAX,
    NS_LUA_ERRMEM = LUA_ERRMEM,
    NS_LUA_ERRERR = LUA_ERRERR,
    NS_LUA_MULTRET = LUA_MULTRET,
};

// MARK: - Limits

/// Why a run was stopped; once set it stays set until the host resets the budget.
typedef enum ns_trip {
    NS_TRIP_NONE = 0,
    NS_TRIP_INSTRUCTIONS = 1,
    NS_TRIP_MEMORY = 2,
    NS_TRIP_DEADLINE = 3,
    NS_TRIP_INTERRUPT = 4,
    /// A limit the host enforces itself (too many live tasks), raised with its own message.
    NS_TRIP_HOST = 5,
} ns_trip;

/// How many trip kinds there are (for arrays indexed by ns_trip).
#define NS_TRIP_COUNT 6

/// Per-VM control block, shared by the allocator, the hook and the trampoline.
/// It is reached from every thread (coroutine) through Lua's extra space.
typedef struct ns_control ns_control;

/// Returns from a Swift function through the trampoline.
enum {
    /// Raise the value on top of the stack as it is.
    NS_RAISE = -1,
    /// Raise the string on top of the stack, prefixed with the caller's position ("file:line: ").
    NS_RAISE_WHERE = -2,
    /// Yield the running coroutine to the host (only when the host knows it may): the
    /// trampoline clears the stack and yields; the values the host resumes it with become
    /// the function's results.
    NS_YIELD = -3,
    /// The run is stopping (interrupt, deadline, a host limit): raise the trip now.
    NS_STOP = -4,
};

/// The Swift side of the trampoline: runs host function `function` with Lua's stack and
/// returns the number of results it pushed, or NS_RAISE / NS_RAISE_WHERE.
typedef int (*ns_dispatch_fn)(lua_State *L, void *function);

/// Installs the one Swift dispatcher (process-wide, set once).
void ns_set_dispatch(ns_dispatch_fn fn);

/// Allocates a control block (no limits, nothing tripped). It outlives its state, so that
/// an interrupt from another thread after the state is closed writes to valid memory.
ns_control *ns_control_new(void);
void ns_control_free(ns_control *c);
/// Makes a state with the limit allocator and the count hook (never removed).
/// Returns NULL if the state cannot be made. `hook_period` is instructions between checks.
lua_State *ns_newstate(ns_control *c, int hook_period);
ns_control *ns_control_of(lua_State *L);

void ns_set_memory_limit(ns_control *c, size_t bytes);
size_t ns_memory_used(const ns_control *c);
void ns_set_instruction_limit(ns_control *c, int64_t count);
int64_t ns_instructions_used(const ns_control *c);
/// Deadline in nanoseconds of CLOCK_MONOTONIC; 0 for none.
void ns_set_deadline(ns_control *c, uint64_t monotonic_ns);
uint64_t ns_monotonic_ns(void);
/// Safe from any thread: the next hook or trampoline return raises the interrupt error.
void ns_interrupt(ns_control *c);
/// Safe from any thread: ends the running call as if its deadline had passed (a deadline kept
/// outside the VM, such as a process watchdog's), so it is reported as the time limit.
void ns_expire(ns_control *c);
/// Whether ns_interrupt or ns_expire was called since the budget was last reset (any thread).
int ns_interrupt_requested(ns_control *c);
/// Starts a fresh budget: clears the trip, the interrupt flag and the instruction count,
/// and puts the calling thread's hook back to its normal period.
void ns_reset_budget(lua_State *L);
ns_trip ns_tripped(ns_control *c);
/// Registry references of the messages raised for each trip (made by the host beforehand,
/// so raising needs no allocation).
void ns_set_trip_message(ns_control *c, ns_trip trip, int registry_ref);
/// Trips the host's own limit (NS_TRIP_HOST) unless something tripped already; the message
/// raised is the one set with ns_set_trip_message(c, NS_TRIP_HOST, ref).
void ns_trip_host(ns_control *c);
/// Whether the run is stopping: a trip, an interrupt request, or a passed deadline.
/// Marks the trip as the hook would, so that the next raise names it.
int ns_stopping(ns_control *c);
/// While > 0 the allocator never refuses: host code is running and must not be unwound.
void ns_enter_host(ns_control *c);
void ns_leave_host(ns_control *c);

// MARK: - Calls

/// Pushes a C closure that calls Swift `function` (kept alive by the host) through the trampoline.
void ns_push_host_function(lua_State *L, void *function);
/// Calls the function below `nargs` arguments on top of the stack in protected mode, with a
/// message handler that records a traceback, and with the allocator's limit in force even
/// when called from inside a host function. Returns the status; on error the error value is
/// on top and `ns_last_traceback` pushes the traceback string (or nil).
int ns_protected_call(lua_State *L, int nargs, int nresults);
/// Pushes the traceback of the last error caught by ns_protected_call, or nil.
void ns_push_last_traceback(lua_State *L);

/// Writes `source:line` of the nearest Lua function calling the running C function whose
/// chunk is not named `skip` (the host's own Lua, such as its prelude) into `buffer`.
/// Returns 1 if there is one, 0 if not. Reads debug information only: it cannot raise.
int ns_caller_location(lua_State *L, const char *skip, char *buffer, size_t size);

// MARK: - Coroutines the host drives

/// Resumes coroutine `co` from the running thread `from` with the `nargs` values on top of
/// co's stack, with the script's memory limit in force (as ns_protected_call does). Only a
/// coroutine resumed this way may continue a host function that yielded with NS_YIELD: a
/// script's own `coroutine.resume` of such a coroutine has no effect: it yields again at once.
/// Returns lua_resume's status; `*nresults` as lua_resume.
int ns_resume(lua_State *co, lua_State *from, int nargs, int *nresults);
/// Resumes coroutine `co`, which waits in a host function that yielded (NS_YIELD), so that
/// the host function raises the value on top of co's stack instead of returning: `how` is
/// NS_RAISE (as it is) or NS_RAISE_WHERE (a string, prefixed with the caller's position).
int ns_resume_raising(lua_State *co, lua_State *from, int how, int *nresults);
/// Gives the table on top of the stack the error-object metatable: `tostring` of it is its
/// `message` field. Host code only (the table is the host's own).
void ns_set_error_metatable(lua_State *L);
/// Names the embedder's own chunk (a prelude): a host function's error names the line of
/// the first caller outside it, so wrappers written in that chunk are not blamed.
void ns_set_host_chunk(ns_control *c, const char *name);
/// Pushes the traceback of coroutine `co` (after an error, its stack is still there) onto L.
void ns_push_traceback_of(lua_State *L, lua_State *co, int level);
static inline int ns_isyieldable(lua_State *L) { return lua_isyieldable(L); }
static inline lua_State *ns_newthread(lua_State *L) { return lua_newthread(L); }
static inline lua_State *ns_tothread(lua_State *L, int idx) { return lua_tothread(L, idx); }
static inline void ns_xmove(lua_State *from, lua_State *to, int n) { lua_xmove(from, to, n); }
static inline int ns_status(lua_State *L) { return lua_status(L); }
enum { NS_LUA_YIELD = LUA_YIELD };

// MARK: - Sandbox

/// Opens only the allowed standard libraries and installs the wrapped functions:
/// load (text only), xpcall (handler skipped after a trip), setmetatable (no __gc),
/// collectgarbage ("count" only), string pattern functions with size bounds, and `print`
/// calling the host function at stack index 1 with the line to write.
/// Call it in protected mode: push it as a C function, push the writer, ns_protected_call.
int ns_open_sandbox(lua_State *L);
/// Opens every standard library unchanged (trusted code only), with `print` as above.
int ns_open_full(lua_State *L);

/// Size bounds of the pattern-matching functions (documented in docs/sandbox.md).
#define NS_MAX_PATTERN 1024

// MARK: - Benchmarks

/// A plain C function (2 integers -> 1 integer) for comparing against Swift functions.
int ns_bench_add(lua_State *L);
/// The plain-C baseline for a VM's life: luaL_newstate, luaL_openlibs, load and run
/// `chunk`, lua_close. Returns the chunk's integer result (or -1 on error).
long long ns_bench_plain_vm(const char *chunk);

#endif
