# Quota figures from ecd-sim's log: input lines "MS OUTCOME" (arrival time
# in ms, the outcome) of one action, in arrival order.
#   awk -v Q=30 -f quota_stats.awk            steady quota Q
#   awk -v Q=50 -v LOW=20 -v DROP=20000 -v RISE=40000 -f quota_stats.awk
#                                             a step: Q -> LOW at DROP ms
#                                             after the first call, back
#                                             at RISE ms
# Steady: "used PERCENT throttled PERCENT accepted N span S" where used is
# (accepted - 1) / (Q x (last accepted - first accepted)), strictly less
# than the issue's accepted / (Q x span) by one call.
# Step: "stop S reach S": seconds from the drop to the end of its volley
# of throttles (the first throttle followed by 2 quiet seconds), and from
# the rise to the first accepted call that ends a second holding 95% of Q.
{
  t = $1; if (NR == 1) t0 = t
  if ($2 == "throttled") { thr[nt++] = t - t0; next }
  ok[na++] = t - t0
}
END {
  if (LOW == "") {
    span = (ok[na - 1] - ok[0]) / 1000
    printf "used %.1f throttled %.2f accepted %d span %.1f\n",
      100 * (na - 1) / (Q * span), 100 * nt / (na + nt), na, span
    exit
  }
  stop = -1
  for (i = 0; i < nt; i++)
    if (thr[i] >= DROP && thr[i] < RISE &&
        (i + 1 == nt || thr[i + 1] - thr[i] >= 2000)) {
      stop = (thr[i] - DROP) / 1000; break
    }
  if (stop < 0) stop = 0   # no throttle after the drop at all
  reach = -1; j = 0
  for (i = 0; i < na && reach < 0; i++) {
    if (ok[i] < RISE) continue
    while (ok[j] <= ok[i] - 1000) j++
    if (i - j + 1 >= 0.95 * Q) reach = (ok[i] - RISE) / 1000
  }
  late = 0
  for (i = 0; i < nt; i++)
    if (thr[i] >= DROP + 5000 && thr[i] < RISE) late++
  printf "stop %.1f reach %.1f late_throttles %d\n", stop, reach, late
}
