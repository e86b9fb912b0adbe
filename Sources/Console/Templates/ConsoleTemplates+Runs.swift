extension ConsoleTemplates {
    /// The Runs page: filters, then a page of runs, newest first.
    static let runs = """
        {{<layout}}{{$content}}
        <h1>Runs</h1>
        <form class="filters" method="get" action="/runs">
        <label>Job <select name="job"><option value="">any</option>{{#jobOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/jobOptions}}</select></label>
        <label>Status <select name="status"><option value="">any</option>{{#statusOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/statusOptions}}</select></label>
        <label>Kind <select name="kind"><option value="">any</option>{{#kindOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/kindOptions}}</select></label>
        <label>Mode <select name="mode"><option value="">any</option>{{#modeOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/modeOptions}}</select></label>
        <label>Host <input name="host" value="{{host}}" maxlength="200"></label>
        <label>From <input type="date" name="from" value="{{from}}"></label>
        <label>To <input type="date" name="to" value="{{to}}"></label>
        <button type="submit">Show</button> <a href="/runs">Clear</a>
        </form>
        <table id="runs">
        <thead><tr><th>Started (UTC)</th><th>Run</th><th>Job</th><th>Kind</th><th>Script</th><th>Mode</th><th>Status</th><th>Host</th><th class="num">Seconds</th></tr></thead>
        <tbody>
        {{#rows}}
        <tr><td class="nowrap">{{started}}</td><td><a class="mono run-link" href="{{href}}">{{id}}</a></td><td>{{job}}</td><td>{{kind}}</td><td class="breakable">{{script}}</td><td>{{mode}}</td><td><span class="status {{tone}}">{{status}}</span></td><td>{{host}}</td><td class="num">{{seconds}}</td></tr>
        {{/rows}}
        {{^rows}}<tr><td colspan="9" class="muted">No run matches.</td></tr>{{/rows}}
        </tbody>
        </table>
        <div class="pager">{{#newerHref}}<a href="{{newerHref}}">Newest</a>{{/newerHref}}{{#olderHref}}<a href="{{olderHref}}" id="older">Older →</a>{{/olderHref}}</div>
        {{/content}}{{/layout}}
        """

    /// One run: its receipt, its log, its writes, its modules.
    static let run = """
        {{<layout}}{{$content}}
        <h1>Run <span class="mono">{{id}}</span></h1>
        <h2>Receipt</h2>
        <dl class="receipt" id="receipt">
        <dt>Status</dt><dd><span class="status {{tone}}" id="run-status">{{status}}</span> (exit code {{exitCode}})</dd>
        {{#error}}<dt>Error</dt><dd>{{error}}</dd>{{/error}}
        {{#job}}<dt>Job</dt><dd><a href="{{jobHref}}">{{job}}</a>, {{kind}}{{#slot}}, slot {{slot}}{{/slot}}{{#attempt}}, attempt {{attempt}}{{/attempt}}</dd>{{/job}}
        {{^job}}<dt>Kind</dt><dd>{{kind}}</dd>{{/job}}
        <dt>Script</dt><dd class="breakable">{{script}}<br><span class="muted mono">sha256 {{scriptHash}}</span></dd>
        <dt>Arguments</dt><dd class="breakable">{{#arguments}}{{arguments}}{{/arguments}}{{^arguments}}<span class="muted">none</span>{{/arguments}}</dd>
        <dt>Grant</dt><dd class="breakable">{{grant}}</dd>
        <dt>Mode</dt><dd>{{mode}}</dd>
        <dt>Host</dt><dd>{{host}}</dd>
        <dt>Started</dt><dd>{{started}}</dd>
        <dt>Ended</dt><dd>{{ended}}</dd>
        <dt>Writes</dt><dd id="run-writes">{{writesText}}</dd>
        <dt>Credits moved</dt><dd>{{creditsMoved}}</dd>
        </dl>
        <h2>Log</h2>
        {{#output}}<pre class="log" id="log">{{output}}</pre>{{/output}}{{^output}}<p class="muted" id="log">Nothing printed.</p>{{/output}}
        {{#outputCapped}}<p class="muted">The log is cut at {{outputLimit}}; the run record keeps at most 64 KiB of output.</p>{{/outputCapped}}
        <h2>Writes</h2>
        <table id="writes">
        <thead><tr><th>Time (UTC)</th><th>Endpoint</th><th>Target</th><th class="num">Before → after</th><th class="num">Change</th><th>Outcome</th><th>Panel's answer</th><th>Where</th></tr></thead>
        <tbody>
        {{#writes}}
        <tr><td class="nowrap">{{time}}</td><td>{{endpoint}}{{#planHref}}<br><a class="mono plan-link" href="{{planHref}}">{{planID}}</a>{{/planHref}}</td><td><a href="{{targetHref}}">{{target}}</a><br><span class="muted mono breakable">{{parameters}}</span></td><td class="num nowrap">{{beforeAfter}}</td><td class="num">{{change}}</td><td><span class="status {{tone}}">{{outcome}}</span></td><td class="breakable">{{answer}}</td><td class="mono">{{location}}</td></tr>
        {{/writes}}
        {{^writes}}<tr><td colspan="8" class="muted">No write recorded.</td></tr>{{/writes}}
        </tbody>
        </table>
        {{#moreHref}}<div class="pager"><a href="{{moreHref}}">Next writes →</a></div>{{/moreHref}}
        <h2>Modules</h2>
        {{#hasModules}}<table id="modules"><thead><tr><th>Module</th><th>SHA-256</th></tr></thead><tbody>{{#modules}}<tr><td class="breakable">{{path}}</td><td class="mono breakable">{{sha256}}</td></tr>{{/modules}}</tbody></table>{{/hasModules}}
        {{^hasModules}}<p class="muted">No module loaded.</p>{{/hasModules}}
        {{/content}}{{/layout}}
        """
}
