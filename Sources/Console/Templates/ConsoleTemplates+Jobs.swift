extension ConsoleTemplates {
    /// The Jobs page: every job with its schedule, next run, last run and actions.
    static let jobs = """
        {{<layout}}{{$content}}
        <h1>Jobs</h1>
        {{#problem}}<p class="error-box" role="alert">{{problem}}</p>{{/problem}}
        <table id="jobs">
        <thead><tr><th>Job</th><th>Schedule</th><th>Time zone</th><th>Next run</th><th>Last run</th><th>Last success</th><th>Notify</th>{{#canControl}}<th>Actions</th>{{/canControl}}</tr></thead>
        <tbody>
        {{#jobs}}
        <tr id="job-{{name}}" data-job="{{name}}">
        <td><a href="{{historyHref}}">{{name}}</a>{{#paused}}<br><span class="status warn paused">paused</span> <span class="muted">{{pausedBy}}</span>{{/paused}}</td>
        <td>{{words}}<br><code>{{cron}}</code></td>
        <td>{{zone}}</td>
        <td class="next">{{#nextText}}<span class="nowrap">{{nextText}}</span><br><span class="muted countdown" data-countdown="{{nextEpoch}}">{{countdown}}</span>{{/nextText}}{{^nextText}}<span class="muted">{{nextNone}}</span>{{/nextText}}</td>
        <td>{{#lastStatus}}<span class="status {{lastTone}}">{{lastStatus}}</span><br><span class="muted nowrap">{{lastAt}}</span>{{#lastHost}} <span class="muted">on {{lastHost}}</span>{{/lastHost}}{{/lastStatus}}{{^lastStatus}}<span class="muted">never ran</span>{{/lastStatus}}</td>
        <td class="nowrap">{{#lastSuccess}}{{lastSuccess}}{{/lastSuccess}}{{^lastSuccess}}<span class="muted">none yet</span>{{/lastSuccess}}</td>
        <td>{{#notify}}{{notify}}{{/notify}}{{^notify}}<span class="muted">none</span>{{/notify}}</td>
        {{#canControl}}<td class="nowrap">
        <form class="inline" method="post" action="/jobs/trigger"><input type="hidden" name="csrf" value="{{frame.csrf}}"><input type="hidden" name="job" value="{{name}}"><button type="submit" class="run-now">Run now</button></form>
        {{^paused}}<form class="inline" method="post" action="/jobs/pause"><input type="hidden" name="csrf" value="{{frame.csrf}}"><input type="hidden" name="job" value="{{name}}"><button type="submit" class="pause">Pause</button></form>{{/paused}}
        {{#paused}}<form class="inline" method="post" action="/jobs/resume"><input type="hidden" name="csrf" value="{{frame.csrf}}"><input type="hidden" name="job" value="{{name}}"><button type="submit" class="resume">Resume</button></form>{{/paused}}
        </td>{{/canControl}}
        </tr>
        {{/jobs}}
        </tbody>
        </table>
        <p class="muted">{{#canControl}}Run now asks the daemon to start the job at its next tick, as <code>nightshift jobs trigger</code> does. {{/canControl}}Times are in each job's time zone.</p>
        {{/content}}{{/layout}}
        """

    /// One job's history from the scheduler's store: every slot, run or not.
    static let job = """
        {{<layout}}{{$content}}
        <h1>Job {{name}}</h1>
        <p><a href="{{runsHref}}">This job's runs with their logs</a></p>
        <table id="history">
        <thead><tr><th>Slot</th><th>Kind</th><th>Attempt</th><th>Status</th><th class="num">Exit</th><th class="num">Writes</th><th class="num">Credits</th><th>Host</th><th>Reason</th><th>Run</th></tr></thead>
        <tbody>
        {{#rows}}
        <tr><td class="nowrap">{{slot}}</td><td>{{kind}}</td><td class="num">{{attempt}}</td><td><span class="status {{tone}}">{{status}}</span></td><td class="num">{{exit}}</td><td class="num">{{writes}}</td><td class="num">{{credits}}</td><td>{{host}}</td><td>{{reason}}</td><td>{{#runHref}}<a href="{{runHref}}" class="mono">{{runID}}</a>{{/runHref}}</td></tr>
        {{/rows}}
        {{^rows}}<tr><td colspan="10" class="muted">No slot recorded yet.</td></tr>{{/rows}}
        </tbody>
        </table>
        <p class="muted">The newest {{limit}} slots, newest first, as <code>nightshift history {{name}}</code> shows them.</p>
        {{/content}}{{/layout}}
        """
}
