// The console's only script (the CSP allows no other). Every page works without it; with it, a
// region marked data-follow="<seconds>" follows the page's state by polling the same URL (Mangum
// answers whole responses, so nothing streams), and data-reload="<seconds>" reloads the page on
// the auto-refresh a user chose. A timed reload the user did not ask for is what WCAG 2.2.1
// forbids, and what axe flags in a <meta http-equiv="refresh">.
(() => {
  "use strict";

  const follow = (region) => {
    const seconds = Number(region.dataset.follow) || 2;
    setTimeout(async () => {
      let response;
      try {
        response = await fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
      } catch (error) {
        follow(region); // the network blinked: ask again
        return;
      }
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const next = page.getElementById(region.id);
      if (!response.ok || response.redirected || !next) {
        location.assign(response.url); // signed out, or the page is no longer this page
        return;
      }
      if (!next.hasAttribute("data-follow")) {
        location.reload(); // the state settled: the whole page shows what now applies
        return;
      }
      region.replaceChildren(...[...next.childNodes].map((node) => document.importNode(node, true)));
      follow(region);
    }, seconds * 1000);
  };

  document.querySelectorAll("[data-follow][id]").forEach(follow);
  const reload = document.querySelector("[data-reload]");
  if (reload) setTimeout(() => location.reload(), (Number(reload.dataset.reload) || 300) * 1000);
})();
