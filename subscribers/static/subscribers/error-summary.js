// The error summary of a form that came back takes the focus, so that a screen reader
// reads it first (templates/preferences/_error_summary.html loads this right after it).
document.getElementById("error-summary").focus();
