// Starts GraphiQL on this origin's /graphql, over HTTP and (for subscriptions) WebSocket, with the
// token chosen in the bar above it (a demonstration's tokens) or typed in the headers editor.
(function () {
  'use strict';
  var http = location.origin + '/graphql';
  var ws = http.replace(/^http/, 'ws');
  var tokens = JSON.parse(document.getElementById('demo-tokens').textContent || '[]');
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  var client = null;
  var chosen = null;

  function render() {
    var headers = chosen ? { Authorization: 'Bearer ' + chosen.token } : {};
    if (client) client.dispose();
    client = graphqlWs.createClient({
      url: ws,
      lazy: true,
      connectionParams: function () { return headers; },
    });
    var fetcher = GraphiQL.createFetcher({ url: http, wsClient: client });
    var query = new URLSearchParams(location.search).get('query');
    root.render(
      React.createElement(GraphiQL, {
        key: chosen ? chosen.label : 'public',
        fetcher: fetcher,
        headers: JSON.stringify(headers, null, 2),
        query: query || undefined,
        shouldPersistHeaders: false,
        defaultEditorToolsVisibility: 'headers',
      })
    );
  }

  var bar = document.getElementById('tokens');
  if (tokens.length) {
    bar.appendChild(document.createTextNode('演示令牌 (demo tokens): '));
    var buttons = [];
    var choose = function (token, button) {
      chosen = token;
      buttons.forEach(function (b) { b.setAttribute('aria-pressed', String(b === button)); });
      render();
    };
    [{ label: '公众 (public)', scopes: '', token: null }].concat(tokens).forEach(function (t) {
      var b = document.createElement('button');
      b.type = 'button';
      b.textContent = t.label;
      b.title = t.scopes;
      b.setAttribute('aria-pressed', String(!t.token));
      b.addEventListener('click', function () { choose(t.token ? t : null, b); });
      buttons.push(b);
      bar.appendChild(b);
    });
  }
  render();
})();
