// BSD libedit's readline interface, from Debian's libedit-dev (pkg-config libedit).
//
// libedit's settings are C globals, which Swift 6 cannot touch directly; these accessors are
// the only code here (the REPL's single thread is the only one that calls them).
#include <stdio.h>
#include <editline/readline.h>

static inline void ns_rl_configure(const char *name, rl_completion_func_t *complete) {
    rl_readline_name = name;
    rl_completion_append_character = 0;
    rl_attempted_completion_function = complete;
}

static inline const char *ns_rl_line_buffer(void) { return rl_line_buffer; }

/// Reads keys through `getc` and leaves signals to the program (libedit would otherwise
/// swallow the first Ctrl-C by retrying its read).
static inline void ns_rl_set_getc(int (*getc)(FILE *)) {
    rl_getc_function = getc;
    rl_catch_signals = 0;
}
