/* Work titles in the dashboard's grids as links to the work's page.
   A dcc.Link: a plain click changes the page inside the dashboard (the filters stay as set), and
   the browser's own ways to open a link (middle click, Ctrl+click, copy link) work as usual.
   The title is a React text child, never HTML. */
(function () {
  var funcs = window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {};
  funcs.WorkLink = function (props) {
    var row = props.data || {};
    var text = props.value === null || props.value === undefined ? '' : String(props.value);
    if (!row.platform_id || !row.post_id) { return text; }
    var href = '/work/' + encodeURIComponent(row.platform_id) + '/' + encodeURIComponent(row.post_id);
    return React.createElement(
      window.dash_core_components.Link, {href: href, className: 'work-link'}, text
    );
  };
})();
