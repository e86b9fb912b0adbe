// The C side of LuaHost. See CLuaShim.h for what lives here and why.
#include "CLuaShim.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ns_control {
    size_t mem_limit;        // 0: none
    size_t mem_used;
    int host_depth;          // > 0: host code runs, the allocator never refuses
    // A refused growth request, kept to tell Lua's retry after its emergency collection
    // (the same request again) from a final refusal.
    int pending;
    void *pending_ptr;
    size_t pending_osize, pending_nsize;
    int64_t instr_limit;     // 0: none
    int64_t instr_used;
    int hook_period;
    uint64_t deadline_ns;    // CLOCK_MONOTONIC; 0: none
    atomic_int interrupt;
    atomic_int expired;      // the deadline was declared passed from outside (a watchdog)
    ns_trip tripped;
    int trip_message[NS_TRIP_COUNT];  // registry refs of the pre-made messages, by ns_trip
    lua_State *host_resume;  // the coroutine ns_resume is resuming now (NULL: none)
    int resume_raise;        // how the host function it continues raises (0: it returns)
    char host_chunk[64];     // the embedder's own chunk, skipped when errors get a position ("": none)
    int traceback_ref;       // registry ref of the last traceback (LUA_NOREF: none yet)
};

static ns_dispatch_fn ns_dispatch = NULL;

void ns_set_dispatch(ns_dispatch_fn fn) { ns_dispatch = fn; }

ns_control *ns_control_of(lua_State *L) { return *(ns_control **)lua_getextraspace(L); }

uint64_t ns_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

// MARK: - Allocator

static int ns_is_pending(const ns_control *c, void *ptr, size_t osize, size_t nsize) {
    return c->pending && c->pending_ptr == ptr && c->pending_osize == osize && c->pending_nsize == nsize;
}

static void *ns_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    ns_control *c = (ns_control *)ud;
    size_t old = ptr ? osize : 0;  // with ptr == NULL, osize is a type tag, not a size
    if (nsize == 0) {
        free(ptr);
        c->mem_used -= old;
        return NULL;
    }
    if (nsize > old && c->host_depth == 0) {
        int retry = ns_is_pending(c, ptr, osize, nsize);
        // A different request after a refusal: that refusal was final (lauxlib's buffers
        // raise at once, without the collect-and-retry of Lua's core allocator).
        if (c->pending && !retry && c->tripped == NS_TRIP_NONE) c->tripped = NS_TRIP_MEMORY;
        c->pending = 0;
        if (c->mem_limit != 0 && c->mem_used + (nsize - old) > c->mem_limit) {
            if (retry) {
                // Lua collected everything it could and the request still does not fit.
                if (c->tripped == NS_TRIP_NONE) c->tripped = NS_TRIP_MEMORY;
            } else {
                c->pending = 1;
                c->pending_ptr = ptr;
                c->pending_osize = osize;
                c->pending_nsize = nsize;
            }
            return NULL;
        }
    }
    void *p = realloc(ptr, nsize);
    if (p == NULL) return NULL;
    c->mem_used = c->mem_used - old + nsize;
    return p;
}

// MARK: - Limits

static int ns_raise_trip(lua_State *L, ns_control *c) {
    // Every instruction from now on raises again, on this thread, until the script unwinds.
    if (lua_gethookcount(L) != 1) lua_sethook(L, lua_gethook(L), LUA_MASKCOUNT, 1);
    // Pre-made message: raising must not need memory.
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->trip_message[c->tripped]);
    return lua_error(L);
}

static void ns_check(ns_control *c) {
    if (c->tripped != NS_TRIP_NONE) return;
    // Lua code runs again after a refusal that was never retried: it was final.
    if (c->pending) {
        c->pending = 0;
        c->tripped = NS_TRIP_MEMORY;
    } else if (atomic_load_explicit(&c->expired, memory_order_relaxed)) {
        c->tripped = NS_TRIP_DEADLINE;
    } else if (atomic_load_explicit(&c->interrupt, memory_order_relaxed)) {
        c->tripped = NS_TRIP_INTERRUPT;
    } else if (c->instr_limit != 0 && c->instr_used > c->instr_limit) {
        c->tripped = NS_TRIP_INSTRUCTIONS;
    } else if (c->deadline_ns != 0 && ns_monotonic_ns() > c->deadline_ns) {
        c->tripped = NS_TRIP_DEADLINE;
    } else if (c->mem_limit != 0 && c->mem_used > c->mem_limit && c->host_depth == 0) {
        c->tripped = NS_TRIP_MEMORY;
    }
}

static void ns_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    ns_control *c = ns_control_of(L);
    c->instr_used += lua_gethookcount(L);
    ns_check(c);
    if (c->tripped != NS_TRIP_NONE) ns_raise_trip(L, c);
}

ns_control *ns_control_new(void) {
    ns_control *c = calloc(1, sizeof(ns_control));
    if (c == NULL) return NULL;
    atomic_init(&c->interrupt, 0);
    atomic_init(&c->expired, 0);
    for (int i = 0; i < NS_TRIP_COUNT; i++) c->trip_message[i] = LUA_NOREF;
    c->traceback_ref = LUA_NOREF;
    return c;
}

void ns_control_free(ns_control *c) { free(c); }

void ns_set_host_chunk(ns_control *c, const char *name) {
    snprintf(c->host_chunk, sizeof c->host_chunk, "%s", name != NULL ? name : "");
}

// Pushes "file:line: " of the function that called the running host function, as
// luaL_where(L, 1) does, but past frames of the embedder's own chunk (a prelude's wrappers),
// so a script's error names the script's line.
static void ns_push_where(lua_State *L, ns_control *c) {
    lua_Debug ar;
    int level = 1;
    if (c->host_chunk[0] != 0) {
        for (; lua_getstack(L, level, &ar); level++) {
            if (!lua_getinfo(L, "S", &ar)) break;
            const char *source = ar.source + (ar.source[0] == '=' || ar.source[0] == '@');
            if (ar.what[0] == 'C' || strcmp(source, c->host_chunk) != 0) break;
        }
    }
    luaL_where(L, level);
}

static int ns_panic(lua_State *L) {
    // Unreachable by design (the host only enters Lua through lua_pcall); abort loudly.
    const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "(non-string error)";
    fprintf(stderr, "LuaHost: unprotected Lua error: %s\n", msg);
    abort();
}

lua_State *ns_newstate(ns_control *c, int hook_period) {
    lua_State *L = lua_newstate(ns_alloc, c);
    if (L == NULL) return NULL;
    *(ns_control **)lua_getextraspace(L) = c;
    lua_atpanic(L, ns_panic);
    c->hook_period = hook_period > 0 ? hook_period : 1000;
    lua_sethook(L, ns_hook, LUA_MASKCOUNT, c->hook_period);
    return L;
}

void ns_set_memory_limit(ns_control *c, size_t bytes) { c->mem_limit = bytes; }
size_t ns_memory_used(const ns_control *c) { return c->mem_used; }
void ns_set_instruction_limit(ns_control *c, int64_t count) { c->instr_limit = count; }
int64_t ns_instructions_used(const ns_control *c) { return c->instr_used; }
void ns_set_deadline(ns_control *c, uint64_t monotonic_ns) { c->deadline_ns = monotonic_ns; }
void ns_interrupt(ns_control *c) { atomic_store_explicit(&c->interrupt, 1, memory_order_relaxed); }
void ns_expire(ns_control *c) { atomic_store_explicit(&c->expired, 1, memory_order_relaxed); }
int ns_interrupt_requested(ns_control *c) {
    return atomic_load_explicit(&c->interrupt, memory_order_relaxed) || atomic_load_explicit(&c->expired, memory_order_relaxed);
}
ns_trip ns_tripped(ns_control *c) {
    if (c->tripped == NS_TRIP_NONE) {
        // A refusal that Lua did not retry before the host looked: it was final.
        if (c->pending) c->tripped = NS_TRIP_MEMORY;
        // An interrupt that came while a host function was waiting, before the hook ran:
        // it still ends the call, whatever the script did with the host function's error.
        else if (atomic_load_explicit(&c->expired, memory_order_relaxed)) c->tripped = NS_TRIP_DEADLINE;
        else if (atomic_load_explicit(&c->interrupt, memory_order_relaxed)) c->tripped = NS_TRIP_INTERRUPT;
    }
    c->pending = 0;
    return c->tripped;
}
void ns_set_trip_message(ns_control *c, ns_trip trip, int registry_ref) { c->trip_message[trip] = registry_ref; }
void ns_trip_host(ns_control *c) {
    if (c->tripped == NS_TRIP_NONE) c->tripped = NS_TRIP_HOST;
}
int ns_stopping(ns_control *c) {
    ns_check(c);
    return c->tripped != NS_TRIP_NONE;
}
void ns_enter_host(ns_control *c) { c->host_depth++; }
void ns_leave_host(ns_control *c) { c->host_depth--; }

void ns_reset_budget(lua_State *L) {
    ns_control *c = ns_control_of(L);
    c->tripped = NS_TRIP_NONE;
    c->pending = 0;
    c->instr_used = 0;
    atomic_store_explicit(&c->interrupt, 0, memory_order_relaxed);
    atomic_store_explicit(&c->expired, 0, memory_order_relaxed);
    lua_sethook(L, ns_hook, LUA_MASKCOUNT, c->hook_period);
}

// MARK: - Calls

// Where a host function that yielded (NS_YIELD) goes on: its results are the values the
// host resumed the coroutine with. A resume by anyone but the host (a script's own
// coroutine.resume of a task's coroutine) has no effect: the coroutine yields again at once
// and keeps waiting for the host.
static int ns_continue(lua_State *L, int status, lua_KContext ctx) {
    (void)status;
    (void)ctx;
    ns_control *c = ns_control_of(L);
    if (c->host_resume != L) {
        lua_settop(L, 0);
        return lua_yieldk(L, 0, 0, ns_continue);
    }
    c->host_resume = NULL;
    int how = c->resume_raise;
    c->resume_raise = 0;
    if (c->tripped != NS_TRIP_NONE) return ns_raise_trip(L, c);
    if (how == NS_RAISE_WHERE) {
        ns_push_where(L, c);
        lua_rotate(L, -2, 1);
        lua_concat(L, 2);
    }
    if (how != 0) return lua_error(L);
    return lua_gettop(L);
}

static int ns_trampoline(lua_State *L) {
    ns_control *c = ns_control_of(L);
    void *function = lua_touserdata(L, lua_upvalueindex(1));
    c->host_depth++;
    int n = ns_dispatch(L, function);
    c->host_depth--;
    // Host pushes may have gone past the memory limit, or a refusal may be pending: check
    // now that Swift has returned. (Interrupts and the deadline are left to the hook, at
    // most a thousand instructions away: checking them here would tax every call.)
    if (c->tripped == NS_TRIP_NONE) {
        if (c->pending) {
            c->pending = 0;
            c->tripped = NS_TRIP_MEMORY;
        } else if (c->mem_limit != 0 && c->mem_used > c->mem_limit && c->host_depth == 0) {
            c->tripped = NS_TRIP_MEMORY;
        }
    }
    if (c->tripped != NS_TRIP_NONE) return ns_raise_trip(L, c);
    if (n >= 0) return n;
    if (n == NS_YIELD) {
        lua_settop(L, 0);
        return lua_yieldk(L, 0, 0, ns_continue);
    }
    if (n == NS_STOP) {
        ns_check(c);
        if (c->tripped != NS_TRIP_NONE) return ns_raise_trip(L, c);
        return luaL_error(L, "stopped");
    }
    if (n == NS_RAISE_WHERE) {
        ns_push_where(L, c);
        lua_rotate(L, -2, 1);
        lua_concat(L, 2);
    }
    return lua_error(L);
}

void ns_push_host_function(lua_State *L, void *function) {
    lua_pushlightuserdata(L, function);
    lua_pushcclosure(L, ns_trampoline, 1);
}

static int ns_message_handler(lua_State *L) {
    ns_control *c = ns_control_of(L);
    // The traceback is host bookkeeping: it must not fail for lack of script memory.
    c->host_depth++;
    luaL_traceback(L, L, NULL, 1);
    lua_rawseti(L, LUA_REGISTRYINDEX, c->traceback_ref);
    c->host_depth--;
    return 1;  // the error value, unchanged
}

int ns_protected_call(lua_State *L, int nargs, int nresults) {
    ns_control *c = ns_control_of(L);
    if (c->traceback_ref == LUA_NOREF) {
        lua_pushboolean(L, 0);
        c->traceback_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    int base = lua_gettop(L) - nargs;  // the function's index
    lua_pushcfunction(L, ns_message_handler);
    lua_rotate(L, base, 1);
    int saved = c->host_depth;
    c->host_depth = 0;  // script code runs: its allocations count, even inside a host call
    int status = lua_pcallk(L, nargs, nresults, base, 0, NULL);
    c->host_depth = saved;
    lua_rotate(L, base, -1);  // drop the handler
    lua_settop(L, -2);
    return status;
}

int ns_caller_location(lua_State *L, const char *skip, char *buffer, size_t size) {
    lua_Debug ar;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar)) continue;
        if (ar.currentline <= 0 || ar.what[0] == 'C') continue;
        if (skip != NULL && strcmp(ar.source + (ar.source[0] == '=' || ar.source[0] == '@'), skip) == 0) continue;
        snprintf(buffer, size, "%s:%d", ar.short_src, ar.currentline);
        return 1;
    }
    return 0;
}

int ns_resume(lua_State *co, lua_State *from, int nargs, int *nresults) {
    ns_control *c = ns_control_of(co);
    int saved = c->host_depth;
    lua_State *outer = c->host_resume;
    c->host_depth = 0;  // script code runs: its allocations count, even inside a host call
    c->host_resume = co;
    int status = lua_resume(co, from, nargs, nresults);
    c->host_resume = outer;
    c->host_depth = saved;
    return status;
}

int ns_resume_raising(lua_State *co, lua_State *from, int how, int *nresults) {
    ns_control *c = ns_control_of(co);
    c->resume_raise = how;
    int status = ns_resume(co, from, 1, nresults);
    c->resume_raise = 0;
    return status;
}

// The metatable of error objects the host raises: `tostring` gives their message, read raw.
static int ns_error_tostring(lua_State *L) {
    if (lua_type(L, 1) == LUA_TTABLE) {
        lua_pushstring(L, "message");
        lua_rawget(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING) return 1;
    }
    lua_pushstring(L, "error object");
    return 1;
}

static const char ns_error_metatable_key = 0;

void ns_set_error_metatable(lua_State *L) {
    ns_control *c = ns_control_of(L);
    c->host_depth++;
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &ns_error_metatable_key) != LUA_TTABLE) {
        lua_settop(L, -2);
        lua_createtable(L, 0, 2);
        lua_pushstring(L, "__tostring");
        lua_pushcfunction(L, ns_error_tostring);
        lua_rawset(L, -3);
        lua_pushstring(L, "__name");
        lua_pushstring(L, "error object");
        lua_rawset(L, -3);
        lua_pushvalue(L, -1);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &ns_error_metatable_key);
    }
    lua_setmetatable(L, -2);
    c->host_depth--;
}

void ns_push_traceback_of(lua_State *L, lua_State *co, int level) {
    ns_control *c = ns_control_of(L);
    c->host_depth++;
    luaL_traceback(L, co, NULL, level);
    c->host_depth--;
}

void ns_push_last_traceback(lua_State *L) {
    ns_control *c = ns_control_of(L);
    if (c->traceback_ref == LUA_NOREF) {
        lua_pushnil(L);
        return;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->traceback_ref);
    if (lua_type(L, -1) != LUA_TSTRING) {
        lua_settop(L, -2);
        lua_pushnil(L);
    }
}

// MARK: - Sandbox

// print: tostring on each argument (script metamethods run here, as Lua code under the
// hook), joined by tabs, handed to the host writer in upvalue 1.
static int ns_print(lua_State *L) {
    int n = lua_gettop(L);
    luaL_Buffer b;
    lua_pushvalue(L, lua_upvalueindex(1));
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1) luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    lua_call(L, 1, 0);
    return 0;
}

// The wrapped functions below check what they add, then run the original C function in
// the same call frame (not through lua_call), so Lua's argument errors keep their names.
static int ns_call_original(lua_State *L) {
    lua_CFunction original = lua_tocfunction(L, lua_upvalueindex(1));
    return original(L);
}

static int ns_load(lua_State *L) {
    // load(chunk [, chunkname [, mode [, env]]]) with the mode forced to text.
    if (lua_gettop(L) < 3) lua_settop(L, 3);
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
    return ns_call_original(L);
}

static int ns_setmetatable(lua_State *L) {
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        int t = lua_rawget(L, 2);
        lua_settop(L, -2);
        if (t != LUA_TNIL)
            return luaL_error(L, "setmetatable: '__gc' is not allowed in the sandbox "
                                 "(finalizers would run outside the script's limits)");
    }
    return ns_call_original(L);
}

static int ns_collectgarbage(lua_State *L) {
    const char *opt = luaL_optstring(L, 1, "collect");
    if (strcmp(opt, "count") != 0)
        return luaL_error(L, "collectgarbage: only \"count\" is allowed in the sandbox (got \"%s\")", opt);
    int kb = lua_gc(L, LUA_GCCOUNT);
    int b = lua_gc(L, LUA_GCCOUNTB);
    lua_pushnumber(L, (lua_Number)kb + ((lua_Number)b / 1024));
    return 1;
}

// xpcall's message handler runs with hooks off when the error came from a hook, so after a
// limit trip it is skipped: the error passes through unchanged and the script unwinds.
static int ns_guarded_handler(lua_State *L) {
    ns_control *c = ns_control_of(L);
    if (ns_tripped(c) != NS_TRIP_NONE) return lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_rotate(L, 1, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int ns_finish_xpcall(lua_State *L, int status, lua_KContext extra) {
    if (status != LUA_OK && status != LUA_YIELD) {
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - (int)extra;
}

static int ns_xpcall(lua_State *L) {
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, ns_guarded_handler, 1);
    lua_replace(L, 2);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);
    int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, ns_finish_xpcall);
    return ns_finish_xpcall(L, status, 2);
}

static int ns_bounded_pattern(lua_State *L) {
    size_t plen = 0;
    if (lua_type(L, 2) == LUA_TSTRING) {
        lua_tolstring(L, 2, &plen);
        if (plen > NS_MAX_PATTERN)
            return luaL_error(L, "pattern too long (%d bytes at most in the sandbox, got %d)",
                              NS_MAX_PATTERN, (int)plen);
    }
    return ns_call_original(L);
}

static void ns_wrap(lua_State *L, int table, const char *name, lua_CFunction wrapper) {
    lua_getfield(L, table, name);
    lua_pushcclosure(L, wrapper, 1);
    lua_setfield(L, table, name);
}

static void ns_copy(lua_State *L, int from, int to, const char *name) {
    lua_getfield(L, from, name);
    lua_setfield(L, to, name);
}

static void ns_install_print(lua_State *L, int globals, int writer) {
    lua_pushvalue(L, writer);
    lua_pushcclosure(L, ns_print, 1);
    lua_setfield(L, globals, "print");
}

int ns_open_sandbox(lua_State *L) {
    // Stack: 1 = the host writer for print.
    static const char *const base_allowed[] = {
        "assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "rawequal",
        "rawget", "rawlen", "rawset", "select", "tonumber", "tostring", "type", "_VERSION",
        NULL};
    static const char *const os_allowed[] = {"time", "clock", "date", "difftime", NULL};

    luaL_requiref(L, LUA_GNAME, luaopen_base, 0);  // 2: the original globals
    lua_createtable(L, 0, 32);                      // 3: the sandbox's globals
    for (int i = 0; base_allowed[i]; i++) ns_copy(L, 2, 3, base_allowed[i]);
    ns_wrap(L, 2, "load", ns_load);
    ns_copy(L, 2, 3, "load");
    ns_wrap(L, 2, "setmetatable", ns_setmetatable);
    ns_copy(L, 2, 3, "setmetatable");
    lua_pushcfunction(L, ns_collectgarbage);
    lua_setfield(L, 3, "collectgarbage");
    lua_pushcfunction(L, ns_xpcall);
    lua_setfield(L, 3, "xpcall");
    ns_install_print(L, 3, 1);
    lua_pushvalue(L, 3);
    lua_setfield(L, 3, LUA_GNAME);

    luaL_requiref(L, LUA_COLIBNAME, luaopen_coroutine, 0);  // 4
    lua_pushnil(L);
    lua_setfield(L, 4, "close");  // crashes Debian's 5.4.4 with <close> chains
    lua_setfield(L, 3, LUA_COLIBNAME);

    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 0);
    lua_setfield(L, 3, LUA_TABLIBNAME);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 0);
    lua_setfield(L, 3, LUA_MATHLIBNAME);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 0);
    lua_setfield(L, 3, LUA_UTF8LIBNAME);

    // string: the same table is the strings' __index, so it is trimmed in place.
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 0);  // 4
    lua_pushnil(L);
    lua_setfield(L, 4, "dump");
    ns_wrap(L, 4, "find", ns_bounded_pattern);
    ns_wrap(L, 4, "match", ns_bounded_pattern);
    ns_wrap(L, 4, "gmatch", ns_bounded_pattern);
    ns_wrap(L, 4, "gsub", ns_bounded_pattern);
    lua_setfield(L, 3, LUA_STRLIBNAME);
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);  // the string metatable
    lua_pushliteral(L, "string");
    lua_setfield(L, -2, "__metatable");  // getmetatable("") answers "string", never the table
    lua_settop(L, 3);

    luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 0);  // 4: the full os table, kept private
    lua_createtable(L, 0, 4);                         // 5
    for (int i = 0; os_allowed[i]; i++) ns_copy(L, 4, 5, os_allowed[i]);
    lua_setfield(L, 3, LUA_OSLIBNAME);
    lua_settop(L, 3);

    // Chunks loaded from now on (by the host or by `load`) see the sandbox's globals.
    lua_pushvalue(L, 3);
    lua_rawseti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
    return 0;
}

int ns_open_full(lua_State *L) {
    luaL_openlibs(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
    ns_install_print(L, lua_gettop(L), 1);
    return 0;
}

// MARK: - Benchmarks

int ns_bench_add(lua_State *L) {
    lua_Integer a = luaL_checkinteger(L, 1);
    lua_Integer b = luaL_checkinteger(L, 2);
    lua_pushinteger(L, a + b);
    return 1;
}

long long ns_bench_plain_vm(const char *chunk) {
    lua_State *L = luaL_newstate();
    if (L == NULL) return -1;
    luaL_openlibs(L);
    long long result = -1;
    if (luaL_loadstring(L, chunk) == LUA_OK && lua_pcall(L, 0, 1, 0) == LUA_OK) result = lua_tointeger(L, -1);
    lua_close(L);
    return result;
}
