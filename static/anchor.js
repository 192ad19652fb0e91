// Land on the section a link names (#anchor) and stay there while the page draws.
// Streamlit scrolls to a heading once, when it appears; the charts, formulas and widgets
// above it then finish drawing and push it down (measured: 60 to 736 px off in Chromium).
// This scrolls it back to the top for a few seconds, until the learner scrolls, clicks
// or types. Served from this server (/app/static/): the CSP allows only its own scripts.
(() => {
  const id = decodeURIComponent(window.location.hash.slice(1));
  if (!id || window.rlcoreLanded === window.location.href) return;
  window.rlcoreLanded = window.location.href;
  let stop = false;
  const quit = () => { stop = true; };
  for (const kind of ["wheel", "touchstart", "keydown", "mousedown"]) {
    window.addEventListener(kind, quit, { once: true, passive: true });
  }
  const start = Date.now();
  const tick = () => {
    if (stop || Date.now() - start > 15000) return;
    // every time: where it is already, this moves nothing; a page still too short
    // below the heading to scroll it up is caught on a later tick
    document.getElementById(id)?.scrollIntoView({ block: "start" });
    window.setTimeout(tick, 200);
  };
  tick();
})();
