/* The query page of kg serve: YASGUI pointed at the endpoint, offline.
 *
 * The page's data (endpoint, prefixes, cookbook examples) is the JSON in
 * #kg-config. Whatever YASGUI would fetch from elsewhere is switched off here:
 * prefix autocompletion from prefix.cc becomes kg's own prefixes, property and
 * class autocompletion from LOV is dropped, there is no CORS proxy and the
 * endpoint catalogue holds this endpoint only. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("kg-config").textContent);
  var Yasqe = Yasgui.Yasqe;

  var prefixLines = Object.keys(config.prefixes).sort().map(function (prefix) {
    return prefix + ": <" + config.prefixes[prefix] + ">";
  });
  Yasqe.forkAutocompleter(
    "prefixes",
    {
      name: "kgPrefixes",
      persistenceId: undefined, // nothing cached in localStorage
      get: function () {
        return Promise.resolve(prefixLines.slice());
      },
    },
    false
  );
  Yasqe.defaults.autocompleters = ["kgPrefixes", "variables"];
  Yasqe.defaults.prefixCcApi = undefined;
  Yasqe.defaults.value = config.defaultQuery;

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    // Tabs persist per endpoint, so a stale endpoint never comes back.
    persistenceId: "kg-query-" + config.endpoint,
    corsProxy: undefined,
    copyEndpointOnNewTab: true,
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    endpointCatalogueOptions: {
      getData: function () {
        return [{ endpoint: config.endpoint }];
      },
    },
    yasqe: { value: config.defaultQuery },
    yasr: { prefixes: config.prefixes, defaultPlugin: "table" },
  });
  window.kgYasgui = yasgui;

  function openExample(example) {
    var tab = yasgui.getTab();
    if (tab.getEndpoint() !== config.endpoint) {
      tab.setEndpoint(config.endpoint);
    }
    tab.setQuery(example.text);
    tab.setName(example.title);
    var yasqe = tab.getYasqe();
    yasqe.collapsePrefixes(true);
    yasqe.focus();
  }

  var buttons = document.querySelectorAll("button.kg-example");
  Array.prototype.forEach.call(buttons, function (button) {
    button.addEventListener("click", function () {
      openExample(config.examples[Number(button.dataset.example)]);
    });
  });
})();
