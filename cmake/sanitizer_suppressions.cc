// Linked into every executable of a sanitized build (RECTIFY_SANITIZE, which CI uses): what
// LeakSanitizer should not report. Fontconfig and cairo keep caches for the life of the process
// (fonts, patterns, scaled fonts) that they never free at exit; a bulletin's or a poster's PDF
// fills them. They are not Rectify's leaks, and reporting them would fail every test that draws
// a PDF. Nothing of Rectify's own code is suppressed.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\n"
         "leak:libcairo.so\n";
}
