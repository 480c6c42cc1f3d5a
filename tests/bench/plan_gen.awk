# plan_gen.awk: a fleet CSV for the plan benchmark.
#   awk -v rows=1000000 -f plan_gen.awk > fleet-1m.csv
# Six regions, 1% duplicate rows (an ID seen earlier), 0.1% bad rows
# (malformed IDs), the rest distinct.  Deterministic (fixed seed).
BEGIN {
  if (rows == 0)
    rows = 1000000
  srand(20261129)
  nreg = split("cn-hangzhou cn-shanghai cn-beijing cn-shenzhen ap-southeast-1 eu-central-1", reg, " ")
  print "DesktopId,RegionId,DesktopName,OfficeSiteId"
  n = 0
  for (i = 1; i <= rows; i++) {
    r = reg[1 + int(rand() * nreg)]
    x = rand()
    if (x < 0.001) {
      printf "ECD-BAD-%d,%s,bad-%07d,dir-1\n", i, r, i
    } else if (x < 0.011 && n > 0) {
      k = 1 + int(rand() * n)
      printf "%s,%s,dup-%07d,dir-2\n", id[k % 4096 + 1], reg_of[k % 4096 + 1], i
    } else {
      n++
      s = sprintf("ecd-%08x%09x", 2654435761 * n % 4294967296, n)
      if (n <= 4096) {
        id[n] = s
        reg_of[n] = r
      }
      printf "%s,%s,desk-%07d,dir-%d\n", s, r, i, 100000000 + n % 977
    }
  }
}
