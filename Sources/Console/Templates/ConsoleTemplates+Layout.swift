extension ConsoleTemplates {
    /// The frame every page shares: head, navigation, the user with Log out, the plain-HTTP
    /// warning when `insecure_http` is on, a one-time message.
    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="same-origin">
        <title>{{frame.title}} · Nightshift console</title>
        <link rel="stylesheet" href="/assets/console.css">
        <script src="/assets/console.js" defer></script>
        </head>
        <body>
        {{#frame}}
        <header class="top">
        <span class="brand">Nightshift console</span>
        {{#user}}
        <nav aria-label="Pages">{{#nav}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a>{{/nav}}</nav>
        <div class="who"><span id="who">{{frame.user}} ({{frame.role}})</span>
        <form class="inline" method="post" action="/logout"><input type="hidden" name="csrf" value="{{frame.csrf}}"><button type="submit" id="logout">Log out</button></form></div>
        {{/user}}
        </header>
        {{#insecure}}<div class="insecure" role="alert" id="insecure-http">This console is served over plain HTTP to the network (insecure_http = true): passwords and session cookies cross it unencrypted. Serve it with TLS (tls_cert, tls_key) or behind a reverse proxy that does.</div>{{/insecure}}
        {{/frame}}
        <main>
        {{#frame.flash}}<p class="flash" role="status" id="flash">{{frame.flash}}</p>{{/frame.flash}}
        {{$content}}{{/content}}
        </main>
        </body>
        </html>

        """

    /// The login form.
    static let login = """
        {{<layout}}{{$content}}
        <form class="login" method="post" action="/login">
        <h1>Log in</h1>
        {{#problem}}<p class="error-box" role="alert" id="login-problem">{{problem}}</p>{{/problem}}
        {{^hasUsers}}<p class="error-box" role="alert">No console user exists yet. Add one on the server: <code>nightshift console add-user NAME --role admin</code></p>{{/hasUsers}}
        <input type="hidden" name="csrf" value="{{frame.csrf}}">
        <input type="hidden" name="next" value="{{next}}">
        <label>Name <input name="name" id="name" autocomplete="username" required maxlength="64" value="{{name}}"></label>
        <label>Password <input name="password" id="password" type="password" autocomplete="current-password" required></label>
        <button type="submit" class="primary" id="login">Log in</button>
        </form>
        {{/content}}{{/layout}}
        """

    /// Any error: the status and what to do.
    static let error = """
        {{<layout}}{{$content}}
        <h1>{{heading}}</h1>
        <p class="error-box" role="alert" id="error">{{message}}</p>
        <p><a href="/jobs">Back to the jobs</a></p>
        {{/content}}{{/layout}}
        """
}
