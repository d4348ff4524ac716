# Sourced by bench/api/run.sh and bench/web/run.sh: wait_until_fired NAME URL waits until the
# node serving at URL is ready and its scheduler has nothing due (rectify_scheduler_due_timers 0
# in /metrics), at most 20 minutes; on a fresh benchmark database the escalations due when the
# clock starts (tens of thousands) fire first, and a request measured meanwhile would measure the
# firing (every changed item reloaded into the node's index) rather than the request.
wait_until_fired() {
  local name=$1 url=$2 due=
  for _ in $(seq 1 2400); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/healthz")" = 200 ]; then
      due=$(curl -s "$url/metrics" | sed -n 's/^rectify_scheduler_due_timers \([0-9.e+]*\)$/\1/p')
      [ "$due" = "0" ] && return 0
    fi
    sleep 0.5
  done
  echo "$name: the node did not catch up with the due timers in 20 minutes (due: ${due:-?})" >&2
  return 1
}
