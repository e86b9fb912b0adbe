extension ConsoleTemplates {
    /// The Panel page: resellers with their credits as last seen, and the chart of credits moved.
    static let panel = """
        {{<layout}}{{$content}}
        <h1>Panel</h1>
        <h2>Credits moved per day</h2>
        <form class="filters" method="get" action="/panel">
        <label>From <input type="date" name="from" value="{{from}}"></label>
        <label>To <input type="date" name="to" value="{{to}}"></label>
        <button type="submit">Show</button>
        </form>
        {{#hasChart}}<figure id="chart">{{{chart}}}<figcaption class="muted">Net credits added (above the line) or removed (below) per day (UTC) by writes the panel accepted; each reseller has its own fill, named in the legend; bars carry their day's total.</figcaption></figure>
        <table id="chart-data"><thead><tr><th>Day</th>{{#series}}<th class="num">{{.}}</th>{{/series}}<th class="num">Total</th></tr></thead><tbody>
        {{#days}}<tr><td>{{day}}</td>{{#cells}}<td class="num">{{.}}</td>{{/cells}}<td class="num">{{total}}</td></tr>{{/days}}
        </tbody></table>{{/hasChart}}
        {{^hasChart}}<p class="muted" id="chart">No credits moved between {{from}} and {{to}}.</p>{{/hasChart}}
        <h2>Resellers</h2>
        <table id="resellers">
        <thead><tr><th>Reseller</th><th class="num">Credits as last seen</th><th>Seen at (UTC)</th><th>By run</th></tr></thead>
        <tbody>
        {{#resellers}}
        <tr><td><a href="{{auditHref}}">{{target}}</a></td><td class="num">{{credits}}</td><td class="nowrap">{{time}}</td><td><a class="mono" href="{{runHref}}">{{runID}}</a></td></tr>
        {{/resellers}}
        {{^resellers}}<tr><td colspan="4" class="muted">No write has measured a reseller's credits yet.</td></tr>{{/resellers}}
        </tbody>
        </table>
        {{#nextHref}}<div class="pager"><a href="{{nextHref}}">More resellers →</a></div>{{/nextHref}}
        <p class="muted">Credits as the last write the panel accepted left them; the console never asks the panel itself.</p>
        {{/content}}{{/layout}}
        """
}
