// The print button of the printable report (no inline handlers: the page's CSP allows
// only the app's own script files).
document.getElementById("print-button").addEventListener("click", () => window.print());
