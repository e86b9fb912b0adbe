extension ConsoleTemplates {
    /// The Audit page: search the writes, export them as CSV.
    static let audit = """
        {{<layout}}{{$content}}
        <h1>Audit</h1>
        <form class="filters" method="get" action="/audit">
        <label>Reseller <input name="reseller" value="{{reseller}}" maxlength="200" placeholder="name, or name (id N)"></label>
        <label>Run <input name="run" value="{{run}}" maxlength="200"></label>
        <label>Plan <input name="plan" value="{{plan}}" maxlength="200" placeholder="p-…"></label>
        <label>From <input type="date" name="from" value="{{from}}"></label>
        <label>To <input type="date" name="to" value="{{to}}"></label>
        <button type="submit">Search</button> <a href="/audit">Clear</a>
        </form>
        {{#hasChoices}}<p>Several resellers start with that name; pick one:</p><ul id="choices">{{#choices}}<li><a href="{{href}}">{{target}}</a></li>{{/choices}}</ul>{{/hasChoices}}
        {{#notice}}<p class="muted" id="notice">{{notice}}</p>{{/notice}}
        <p><a href="{{csvHref}}" id="csv">Download these writes as CSV</a> <span class="muted">(every match, not only this page; formula-safe)</span> · <a href="/audit/console">Console actions</a></p>
        <table id="writes">
        <thead><tr><th>Time (UTC)</th><th>Host</th><th>Run</th><th>Mode</th><th>Endpoint</th><th>Target</th><th class="num">Before → after</th><th class="num">Change</th><th>Outcome</th><th>Panel's answer</th></tr></thead>
        <tbody>
        {{#rows}}
        <tr><td class="nowrap">{{time}}</td><td>{{host}}</td><td><a class="mono" href="{{runHref}}">{{runID}}</a></td><td>{{mode}}{{#planHref}}<br><a class="mono plan-link" href="{{planHref}}">{{planID}}</a>{{/planHref}}</td><td>{{endpoint}}</td><td>{{target}}<br><span class="muted mono breakable">{{parameters}}</span></td><td class="num nowrap">{{beforeAfter}}</td><td class="num">{{change}}</td><td><span class="status {{tone}}">{{outcome}}</span></td><td class="breakable">{{answer}}</td></tr>
        {{/rows}}
        {{^rows}}<tr><td colspan="10" class="muted">No write matches.</td></tr>{{/rows}}
        </tbody>
        </table>
        <div class="pager">{{#newerHref}}<a href="{{newerHref}}">Newest</a>{{/newerHref}}{{#olderHref}}<a href="{{olderHref}}" id="older">Older →</a>{{/olderHref}}</div>
        {{/content}}{{/layout}}
        """

    /// What console users did: logins, failed logins, Run now, Pause, Resume, refusals.
    static let actions = """
        {{<layout}}{{$content}}
        <h1>Console actions</h1>
        <form class="filters" method="get" action="/audit/console">
        <label>User <input name="user" value="{{user}}" maxlength="64"></label>
        <button type="submit">Show</button> <a href="/audit/console">Clear</a>
        </form>
        <table id="actions">
        <thead><tr><th>Time (UTC)</th><th>User</th><th>Address</th><th>Action</th><th>Target</th><th>Outcome</th><th>Detail</th></tr></thead>
        <tbody>
        {{#rows}}
        <tr><td class="nowrap">{{time}}</td><td>{{user}}</td><td>{{address}}</td><td>{{action}}</td><td>{{target}}</td><td><span class="status {{tone}}">{{outcome}}</span></td><td>{{detail}}</td></tr>
        {{/rows}}
        {{^rows}}<tr><td colspan="7" class="muted">No console action recorded.</td></tr>{{/rows}}
        </tbody>
        </table>
        <div class="pager">{{#newerHref}}<a href="{{newerHref}}">Newest</a>{{/newerHref}}{{#olderHref}}<a href="{{olderHref}}" id="older">Older →</a>{{/olderHref}}</div>
        {{/content}}{{/layout}}
        """
}
