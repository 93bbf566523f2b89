# gauntlet report on synthetic result files (report_fixtures.py: no training): every table in every
# format, figures with gnuplot, index.html and the cell pages; byte-identical on a second run; a
# clear warning and still the tables without gnuplot; escaping of hostile class, label and suite
# names in HTML, Markdown, LaTeX, CSV and the gnuplot scripts; the pages opened in headless
# Chromium (no broken image, no script error, every section, the sorter working, the injected
# <script> shown as text); the LaTeX tables compiled with pdflatex where it is installed.
# Usage: report.sh GAUNTLET SOURCE_DIR. Exit 77 (skipped) when everything ran but Chromium is missing.
set -u
gauntlet=$1
src=$2
source "$src/tests/e2e/lib.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fixtures="/usr/bin/python3 $src/tests/e2e/report_fixtures.py"

$fixtures "$t/runs/fixture" >/dev/null
$fixtures "$t/hostile/runs" --hostile >/dev/null

# --- every table, figure and page ---------------------------------------------------------------
expect "report writes tables, figures and pages" 0 "open: $t/a/reports/fixture/index.html" -- \
  "$gauntlet" report "$t/runs/fixture" --out "$t/a"
r=$t/a/reports/fixture
check "summary.md: a row per cell, failed one included" -- \
  test "$(grep -c '^| \(small\|wide\|broken\) |' "$r/summary.md")" -eq 9
for table in leaderboard leaderboard_seeds ranking; do
  for ext in md html tex csv; do
    check "tables/$table.$ext" -- test -s "$r/tables/$table.$ext"
  done
done
cell=$(ls "$r/cells" | grep -v '\.html$' | head -1)
check "per-class and corruption tables per cell" -- test -s "$r/cells/$cell/tables/per_class_clean.tex" -a \
  -s "$r/cells/$cell/tables/per_class_p.hidden-like.csv" -a -s "$r/cells/$cell/tables/corruptions.md"
for fig in figures/clean_vs_p.hidden-like figures/clean_vs_x.field figures/severity_contrast \
           "cells/$cell/figures/learning_curves" "cells/$cell/figures/confusion_clean_counts" \
           "cells/$cell/figures/confusion_p.hidden-like_norm" "cells/$cell/figures/per_class_f1"; do
  check "$fig: .png .svg .gp .dat" -- test -s "$r/$fig.png" -a -s "$r/$fig.svg" -a -s "$r/$fig.gp" -a -s "$r/$fig.dat"
done
check "a .gp script redraws its figure" -- bash -c "cd '$r/figures' && gnuplot -e \"formats='png'; outdir='$t/'\" severity_contrast.gp && test -s '$t/severity_contrast.png'"
check "leaderboard: mean ± sd over seeds, best marked" -- grep -q '\*\*[0-9.]* ± [0-9.]*\*\*' "$r/tables/leaderboard.md"
check "leaderboard: parameters and FLOPs columns" -- grep -q '| parameters | FLOPs |' "$r/tables/leaderboard.md"
check "leaderboard.csv: RFC 4180 CRLF rows, sd columns" -- bash -c "head -1 '$r/tables/leaderboard.csv' | grep -q \$'clean acc (%) sd,.*\\r\$'"
check "leaderboard.tex: booktabs" -- grep -q '\\toprule' "$r/tables/leaderboard.tex"
check "ranking: clean and shifted ranks" -- grep -q 'p.hidden-like rank' "$r/tables/ranking.md"
check "explain/ images of a run shown on its cell page" -- grep -q 'explain/saliency_class_0.png' "$r/cells/"*.html
check "index.html names every section" -- bash -c "for s in leaderboard ranking figures cells environment suite; do grep -q \"id=\\\"\$s\\\"\" '$r/index.html' || exit 1; done"
check "index.html fetches nothing from outside" -- bash -c "! grep -Eq '(src|href)=\"(https?:)?//' '$r/index.html' '$r/cells/'*.html"

# --- determinism ----------------------------------------------------------------------------------
"$gauntlet" report "$t/runs/fixture" --out "$t/b" >/dev/null 2>&1
check "a second report is byte-identical (tables, pages, scripts, data, SVG, PNG, PDF)" -- \
  diff -r "$t/a/reports/fixture" "$t/b/reports/fixture"

# --- without gnuplot ------------------------------------------------------------------------------
expect "no gnuplot: a warning, exit 0" 0 "gnuplot not found" -- env PATH=/nonexistent "$gauntlet" report "$t/runs/fixture" --out "$t/ng"
check "... the tables are still written" -- test -s "$t/ng/reports/fixture/tables/leaderboard.tex"
check "... the page says so and links no image" -- bash -c "grep -q 'Figures not drawn' '$t/ng/reports/fixture/index.html' && ! grep -q '<img' '$t/ng/reports/fixture/index.html'"
expect "--format md,csv writes only those (and summary.md)" 0 "" -- "$gauntlet" report "$t/runs/fixture" --out "$t/f" --format md,csv --no-figures
check "... no html, no tex, no figures" -- bash -c "test -s '$t/f/reports/fixture/tables/leaderboard.csv' && ! ls '$t/f/reports/fixture/tables/'*.tex '$t/f/reports/fixture/index.html' '$t/f/reports/fixture/figures' 2>/dev/null"
expect "--format with an unknown name: exit 2" 2 "unknown report format \"pdf\"" -- "$gauntlet" report "$t/runs/fixture" --format md,pdf

# --- hostile names ---------------------------------------------------------------------------------
expect "hostile names: report written" 0 "" -- "$gauntlet" report "$t/hostile/runs" --out "$t/h"
h=$(ls -d "$t/h/reports/"*)
check "the suite folder name is made safe" -- bash -c "[[ \$(basename '$h') =~ ^fixture__script_alert_1___script_[A-Za-z0-9._-]*\$ ]]"
check "HTML: no raw injected tag anywhere" -- bash -c "! grep -rl '<script>alert' '$h' --include='*.html'"
check "HTML: escaped class name and quotes" -- bash -c "grep -rq '&lt;script&gt;alert(1)&lt;/script&gt;' '$h/cells' && grep -q '&quot;&amp;&#39;' '$h/index.html'"
check "Markdown: tags and pipes escaped" -- bash -c "! grep -rq '<script>' '$h' --include='*.md' && grep -q '\\\\<script\\\\>alert(1)\\\\</script\\\\>' '$h/tables/leaderboard.md' && grep -rq '\\\\|' '$h/cells' --include='*.md'"
check "LaTeX: specials escaped" -- bash -c "grep -rq '\\\\textless{}script\\\\textgreater{}' '$h/cells' --include='*.tex' && grep -rq '100\\\\% \\\\\$x\\\\_1\\\\\$ \\\\#\\\\{\\\\textasciitilde{}\\\\textasciicircum{}\\\\}\\\\textbar{}' '$h/cells' --include='*.tex'"
check "CSV: a field with a quote is quoted, quotes doubled" -- grep -rqF '"""&'"'"'\ 100% $x_1$ #{~^}|"' "$h/cells" --include='*.csv'
check "gnuplot: names single-quoted, quotes and % (tic labels are formats) doubled" -- grep -rqF "'\"&''\\ 100%% \$x_1\$ #{~^}|'" "$h/cells" --include='*.gp'
check "gnuplot drew the hostile figures" -- bash -c "ls '$h'/cells/*/figures/confusion_clean_counts.png >/dev/null"

# --- LaTeX: the tables compile -------------------------------------------------------------------
if command -v pdflatex >/dev/null; then
  doc=$t/tex/doc.tex
  mkdir -p "$t/tex"
  {
    echo '\documentclass{article}\usepackage[T1]{fontenc}\usepackage{booktabs}\usepackage{graphicx}'
    echo '\begin{document}'
    for f in "$r/tables/"*.tex "$r/cells/$cell/tables/"*.tex "$h/tables/"*.tex $(ls "$h/cells/"*/tables/*.tex | head -4); do
      echo "\\begin{table}\\resizebox{\\textwidth}{!}{\\input{$f}}\\end{table}\\clearpage"
    done
    echo '\end{document}'
  } >"$doc"
  check "pdflatex compiles every table (hostile ones too)" -- bash -c "cd '$t/tex' && pdflatex -interaction=nonstopmode -halt-on-error doc.tex >log.txt 2>&1 && test -s doc.pdf || { tail -30 log.txt; exit 1; }"
else
  echo "skip LaTeX compile: pdflatex not installed (Debian: texlive-latex-base texlive-latex-recommended)"
fi

# --- in a browser -----------------------------------------------------------------------------------
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [[ -z $browser ]]; then
  echo "skip browser checks: chromium not installed (Debian: chromium)"
  finish || exit 1
  exit 77
fi
# A test-only copy of a page with a checker script first in <head>: it records script errors,
# console.error, alert() (an injection that ran) and failed image loads, then after the load event
# checks every image, every section and the sorter, and writes one CHECK line into the DOM that
# --dump-dom prints.
checker='<script>
window.__e=[];window.alert=function(m){__e.push("alert:"+m)};
var __ce=console.error;console.error=function(){__e.push("console.error:"+Array.prototype.join.call(arguments," "));__ce.apply(console,arguments)};
window.addEventListener("error",function(e){var x=e.target;__e.push(x&&x!==window&&(x.src||x.href)?"load-failed:"+(x.src||x.href):"error:"+e.message)},true);
window.addEventListener("load",function(){setTimeout(function(){
var bad=[],im=document.images;for(var i=0;i<im.length;i++)if(!im[i].complete||im[i].naturalWidth===0)bad.push(im[i].getAttribute("src"));
var miss=(document.body.getAttribute("data-sections")||"").split(" ").filter(function(s){return s&&!document.getElementById(s)});
var sorted="none",th=document.querySelector(".sortable th:nth-child(6)");
if(th){th.click();var v=[].map.call(th.closest("table").tBodies[0].rows,function(r){return r.cells[5].getAttribute("data-v")}).filter(function(x){return x});
sorted=v.every(function(x,i){return i===0||parseFloat(v[i-1])>=parseFloat(x)})&&v.length>1?"desc":"wrong:"+v.join(",")}
var lit=document.body.textContent.indexOf("<script>alert(1)<\/script>")>=0?"yes":"no";
var o=document.createElement("pre");o.id="__check";
o.textContent="CHECK images="+im.length+" broken="+bad.length+" ["+bad.join(" ")+"] errors="+__e.length+" ["+__e.join(" | ")+"] missing=["+miss.join(",")+"] sorted="+sorted+" literal="+lit+" END";
document.body.appendChild(o)},50)});
</script>'
browse() {  # browse PAGE SECTIONS EXPECT_LITERAL NAME: the CHECK line of PAGE in headless Chromium
  local page=$1 sections=$2 literal=$3 name=$4 probe out line
  probe=$(dirname "$page")/.check-$(basename "$page")
  /usr/bin/python3 - "$page" "$probe" "$checker" "$sections" <<'PY'
import sys
page, probe, checker, sections = sys.argv[1:]
html = open(page, encoding="utf-8").read()
html = html.replace("<head>", "<head>\n" + checker, 1).replace("<body>", '<body data-sections="%s">' % sections, 1)
open(probe, "w", encoding="utf-8").write(html)
PY
  out=$(timeout 60 "$browser" --headless --disable-gpu --no-sandbox --no-first-run --allow-file-access-from-files \
        --virtual-time-budget=5000 --dump-dom "file://$probe" 2>"$t/chromium-$name.log")
  timeout 60 "$browser" --headless --disable-gpu --no-sandbox --no-first-run --hide-scrollbars \
        --window-size=1400,2400 --screenshot="$t/shot-$name.png" "file://$page" >/dev/null 2>&1
  if [[ -n ${GAUNTLET_REPORT_SHOTS:-} ]]; then mkdir -p "$GAUNTLET_REPORT_SHOTS"; cp "$t/shot-$name.png" "$GAUNTLET_REPORT_SHOTS/"; fi
  rm -f "$probe"
  line=$(grep -o 'CHECK images=[0-9][^<]* END' <<<"$out")
  echo "     $name: $line"
  [[ $line == *" broken=0 "* && $line == *" errors=0 "* && $line == *"missing=[]"* && $line == *"literal=$literal"* ]] &&
    [[ $line != *"sorted=wrong"* ]] && [[ $line =~ images=[1-9] ]] && test -s "$t/shot-$name.png"
}
check "index.html in Chromium: images load, no errors, sections, sorter" -- \
  browse "$r/index.html" "leaderboard ranking figures cells environment suite" no index
ecell=$(grep -l 'id="explain"' "$r/cells/"*.html | head -1)
check "a cell page (with explain/ images) in Chromium" -- browse "$ecell" "figures tables explain config environment" no cell
hcell=$(grep -l 'confusion_clean_counts' $(grep -l '&lt;script&gt;alert(1)' "$h/cells/"*.html) | head -1)
check "hostile index.html: the injected tag is text, nothing runs" -- \
  browse "$h/index.html" "leaderboard ranking figures cells environment suite" yes hostile-index
check "hostile cell page: the injected tag is text, nothing runs" -- \
  browse "$hcell" "figures tables config environment" yes hostile-cell
finish
