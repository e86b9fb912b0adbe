extension ConsoleTemplates {
    /// The Plans page: the plans this host keeps, newest first, by how they stand.
    static let plans = """
        {{<layout}}{{$content}}
        <h1>Plans</h1>
        <p class="states" id="states">{{#states}}<a href="{{href}}"{{#current}} class="current" aria-current="page"{{/current}}>{{label}}</a> {{/states}}</p>
        <table id="plans">
        <thead><tr><th>Made (UTC)</th><th>Plan</th><th>State</th><th>Author</th><th>Job</th><th class="num">Writes</th><th class="num">Credits</th><th>Approvals</th><th>Expires (UTC)</th></tr></thead>
        <tbody>
        {{#rows}}
        <tr id="plan-{{id}}"><td class="nowrap">{{created}}</td><td><a class="mono plan-link" href="{{href}}">{{id}}</a></td><td><span class="status {{tone}}">{{state}}</span></td><td>{{author}}</td><td>{{job}}</td><td class="num">{{writes}}</td><td class="num">{{credits}}</td><td>{{approvals}}</td><td class="nowrap">{{expires}}</td></tr>
        {{/rows}}
        {{^rows}}<tr><td colspan="9" class="muted">{{#kept}}No plan in this state.{{/kept}}{{^kept}}This console keeps no plans.{{/kept}}</td></tr>{{/rows}}
        </tbody>
        </table>
        <p class="muted">The newest {{limit}} plans this host keeps (<code>nightshift plan</code>, and jobs with <code>approval = "required"</code>), as <code>nightshift show</code> sees them.</p>
        {{/content}}{{/layout}}
        """

    /// One plan: how it stands, the review `nightshift show` prints, Approve and Reject.
    static let plan = """
        {{<layout}}{{$content}}
        <h1>Plan <span class="mono">{{id}}</span></h1>
        <dl class="receipt" id="plan-summary">
        <dt>State</dt><dd><span class="status {{tone}}" id="plan-state">{{state}}</span>{{#used}} <span class="muted">{{used}}</span>{{/used}}</dd>
        <dt>Approvals</dt><dd id="plan-approvals">{{approvals}}</dd>
        <dt>Made by</dt><dd>{{author}}, {{created}} UTC</dd>
        {{#job}}<dt>Job</dt><dd><a href="{{jobHref}}">{{job}}</a>{{#waitUntil}}, waits until {{waitUntil}} UTC{{/waitUntil}}</dd>{{/job}}
        <dt>Expires</dt><dd>{{expires}} UTC</dd>
        <dt>Digest</dt><dd class="mono breakable">{{digest}}</dd>
        <dt>File</dt><dd class="mono breakable">{{file}}</dd>
        {{#writesHref}}<dt>Sent</dt><dd><a href="{{writesHref}}">The writes its apply sent</a>{{#runHref}}, in <a href="{{runHref}}">its run</a>{{/runHref}}</dd>{{/writesHref}}
        </dl>
        {{#canDecide}}
        <div class="decide" id="decide">
        <form class="inline" method="post" action="/plans/approve"><input type="hidden" name="csrf" value="{{frame.csrf}}"><input type="hidden" name="plan" value="{{id}}"><button type="submit" class="approve">Approve</button></form>
        <form class="inline" method="post" action="/plans/reject"><input type="hidden" name="csrf" value="{{frame.csrf}}"><input type="hidden" name="plan" value="{{id}}"><label>Reason <input name="reason" required maxlength="500"></label> <button type="submit" class="reject">Reject</button></form>
        <p class="muted">Your approval is recorded in this host's audit log as yours, for this plan's digest; it counts when your name is an approver in nightshift.toml's <code>[approvals]</code> (docs/plans.md). A rejection means it can never be applied.</p>
        </div>
        {{/canDecide}}
        {{^canDecide}}{{#isOpen}}<p class="muted">An approver or admin can approve or reject this plan here; an approver with a key can run <code>nightshift approve {{id}} --key KEY</code>.</p>{{/isOpen}}{{/canDecide}}
        <h2>Review</h2>
        {{#review}}<pre class="log" id="review">{{review}}</pre>{{/review}}
        {{^review}}<p class="error-box" id="review">The plan's file cannot be read: it was moved, deleted or changed after the plan was made, so it cannot be applied.</p>{{/review}}
        {{/content}}{{/layout}}
        """
}
