#!/usr/bin/env bash
# Renders speedup and efficiency vs ranks from a scaling.csv (jobs/scaling.sh) into one PNG with two panels.
#
#   jobs/plot_scaling.sh CSV [PNG] [--title TEXT]
#
# PNG defaults to scaling.png beside CSV. One line per mode (strong, weak) and launcher kind; when a mode was
# swept several times into the same CSV, its last sweep is drawn (a sweep = a run of increasing rank counts).
# Simulated points (launcher smpirun, jobs/scaling.sh --simulate) are drawn dashed with open markers and
# labelled "simulated"; the title says so too. Dashed grey: ideal (speedup = ranks / smallest ranks,
# efficiency = 1). Beyond 16x the smallest rank count both axes of the speedup panel are logarithmic.
# When the CSV holds sweeps of several --schedule policies (its schedule column), one line per policy too,
# labelled with it (e.g. strong-static). The default title names the host from meta.txt beside the CSV. Accepts
# the older 10- and 12-column CSVs (no run_s, launcher; no schedule). Installs gnuplot-nox with tests/lib/install-deps.sh when gnuplot is missing.
set -euo pipefail

die() { echo "plot_scaling.sh: $*" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

csv=
png=
title=
while [ $# -gt 0 ]; do
  case $1 in
    --title) [ $# -ge 2 ] || die "--title needs a value"; title=$2; shift 2 ;;
    -h | --help) sed -n '4p' "${BASH_SOURCE[0]}" | sed 's/^# *//' >&2; exit 2 ;;
    *) if [ -z "$csv" ]; then csv=$1; elif [ -z "$png" ]; then png=$1; else die "too many arguments"; fi; shift ;;
  esac
done
[ -n "$csv" ] || die "usage: jobs/plot_scaling.sh CSV [PNG] [--title TEXT]"
[ -s "$csv" ] || die "no data in $csv"
[ -n "$png" ] || png=$(dirname "$csv")/scaling.png
header=$(head -n 1 "$csv")
case $header in
  mode,ranks,nodes,numbers,wall_s,numbers_per_s,speedup,efficiency,busy_share_mean,busy_share_min) ;;
  mode,ranks,nodes,numbers,wall_s,numbers_per_s,speedup,efficiency,busy_share_mean,busy_share_min,run_s,launcher) ;;
  mode,ranks,nodes,numbers,wall_s,numbers_per_s,speedup,efficiency,busy_share_mean,busy_share_min,run_s,launcher,schedule) ;;
  *) die "$csv does not have the columns jobs/scaling.sh writes" ;;
esac

if ! command -v gnuplot >/dev/null; then
  "$here/../tests/lib/install-deps.sh" gnuplot-nox || die "gnuplot is missing and could not be installed"
fi

if [ -z "$title" ]; then
  meta=$(dirname "$csv")/meta.txt
  host=
  [ -f "$meta" ] && host=$(grep '^host: ' "$meta" | tail -n 1 | sed 's/^host: //')
  title="mpifactor scaling${host:+ on $host}"
  kinds=$(awk -F, 'NR > 1 { k[$12 == "smpirun" ? "sim" : "real"] = 1 } END { print (("sim" in k) ? ("real" in k) ? "both" : "sim" : "real") }' "$csv")
  case $kinds in
    sim) title="mpifactor scaling, SIMULATED (SimGrid SMPI, calibrated${host:+ on $host})" ;;
    both) title="mpifactor scaling, real and SIMULATED (SimGrid SMPI)${host:+, $host}" ;;
  esac
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# One data file per mode (with its policy where the CSV holds several, and "-simulated" for smpirun points)
# holding its last sweep. The first pass over the CSV finds the policies.
awk -F, -v dir="$tmp" '
  FNR == NR { if (FNR > 1 && NF >= 13 && !($13 in pol)) { pol[$13] = 1; npol++ }; next }
  FNR == 1 { next }
  {
    m = $1 (npol > 1 ? "-" $13 : "") ($12 == "smpirun" ? "-simulated" : "")
    if ((m in last) && $2 + 0 <= last[m]) { n[m] = 0 }
    last[m] = $2 + 0
    rows[m, ++n[m]] = $0
    if (!(m in order)) { order[m] = ++nm; names[nm] = m }
  }
  END {
    for (i = 1; i <= nm; i++) {
      m = names[i]; f = dir "/" m ".dat"
      for (j = 1; j <= n[m]; j++) print rows[m, j] > f
      close(f)
      print m > (dir "/modes")
    }
  }' "$csv" "$csv"
[ -s "$tmp/modes" ] || die "no data rows in $csv"

read -r rmin rmax < <(cat "$tmp"/*.dat | awk -F, 'NR == 1 { a = $2; b = $2 } { if ($2 < a) a = $2; if ($2 > b) b = $2 } END { print a, b }')
xtics=$(cat "$tmp"/*.dat | cut -d, -f2 | sort -n -u | paste -sd, -)
ymax=$(awk -F, -v r="$rmax" -v b="$rmin" 'BEGIN { m = r / b } { if ($7 > m) m = $7 } END { print m * 1.15 }' "$tmp"/*.dat)

speedup_plot="x / $rmin with lines dt 2 lc rgb '#555555' title 'ideal'"
eff_plot="1 with lines dt 2 lc rgb '#555555' title 'ideal'"
colors=('#1f77b4' '#d62728' '#2ca02c' '#9467bd' '#ff7f0e' '#8c564b')
offsets=('0,-1.2' '0,1.2')
i=0
while read -r m; do
  c=${colors[$((i % 6))]}
  o=${offsets[$((i % 2))]}
  style="lw 2 pt 7"
  label=$m
  case $m in *-simulated) style="lw 2 dt 3 pt 6 ps 1.3"; label="${m%-simulated} (simulated)" ;; esac
  speedup_plot+=", '$tmp/$m.dat' using 2:7 with linespoints $style lc rgb '$c' title '$label'"
  speedup_plot+=", '' using 2:7:(sprintf('%.2f', \$7)) with labels offset $o tc rgb '$c' notitle"
  eff_plot+=", '$tmp/$m.dat' using 2:8 with linespoints $style lc rgb '$c' title '$label'"
  eff_plot+=", '' using 2:8:(sprintf('%.2f', \$8)) with labels offset $o tc rgb '$c' notitle"
  i=$((i + 1))
done <"$tmp/modes"

# Wide sweeps (simulated clusters) read better on logarithmic axes.
logx=0
[ "$rmax" -le $((16 * rmin)) ] || logx=1
if [ $logx -eq 1 ]; then
  xpad=$(awk -v a="$rmin" -v b="$rmax" 'BEGIN { print a / 1.3, b * 1.3 }')
  xaxis="set logscale x 2"
  yrange_speedup="set logscale y 2; set yrange [0.5:$ymax]"
  yrange_eff="unset logscale y; set yrange [0:1.3]"
else
  xpad=$(awk -v a="$rmin" -v b="$rmax" 'BEGIN { p = (b - a) * 0.08; if (p < 0.3) p = 0.3; print a - p, b + p }')
  xaxis="unset logscale x"
  yrange_speedup="set yrange [0:$ymax]"
  yrange_eff="set yrange [0:1.3]"
fi
gnuplot <<EOF
set terminal pngcairo size 1200,520 font "sans,11"
set output "$png"
set datafile separator ","
set multiplot layout 1,2 title "${title//\"/\'}" font "sans,13"
set grid
set xlabel "ranks (MPI processes)"
$xaxis
set xrange [${xpad% *}:${xpad#* }]
set xtics ($xtics)
set key top left
set title "speedup vs ranks (relative to $rmin $([ "$rmin" -eq 1 ] && echo rank || echo ranks))"
set ylabel "speedup (x)"
$yrange_speedup
plot $speedup_plot
set title "parallel efficiency vs ranks"
set ylabel "efficiency (speedup x $rmin / ranks)"
$yrange_eff
set key bottom left
plot $eff_plot
unset multiplot
EOF
echo "plot_scaling.sh: wrote $png" >&2
