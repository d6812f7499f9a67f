/** The `--help` text: a short manual. */
export const HELP_TEXT = `globeco-loadgen — open-model load generator for the GlobeCo Portfolio Service

USAGE
  globeco-loadgen <base-url> [options]
  globeco-loadgen merge <report.json>... [--json out.json] [--html out.html] [--threshold expr]...
  globeco-loadgen --help | --version

  Drives a weighted mix of portfolio API calls at a target arrival rate, records latency in HDR
  histograms (response time from the scheduled send — free of coordinated omission — and service
  time from the actual send), and writes a JSON summary, per-interval NDJSON/CSV and an HTML report.

LOAD MODEL
  --rate <req/s>            Target arrival rate (open model; default 100). With --stage, the rate
                            before the first stage.
  --duration <time>         Run length: 500ms, 30s, 5m, 1h30m (default 30s; ignored with --stage).
  --requests <n>            Stop after n requests (whichever of time and count comes first).
  --stage <spec>            Repeatable; stages run in order and set the duration:
                              hold:<time>[:<rate>]          keep (or set) the rate
                              ramp:<time>:[<from>:]<to>     linear change to <to>
                              step:<time>:<to>:<steps>      staircase to <to> in <steps> steps
                              spike:<time>:<rate>           burst, then back to the previous rate
                              sine:<time>:<min>:<max>:<period>  oscillate between min and max
  --closed                  Closed model instead: --concurrency loops that wait for each answer
                            (service time only; use it to find capacity, not to measure latency).
  --concurrency <n>         Loops of the closed model (default 10).
  --max-in-flight <n>       Open model: cap on outstanding requests (default 1000). Arrivals that
                            find the cap full wait (and count as late); after --max-lag they are
                            dropped and counted.
  --max-lag <time>          Drop arrivals that waited this long for a slot (default 10s).
  --late <time>             A send this much after its schedule counts as late (default 10ms).
  --workers <n>             Worker threads; the arrivals are split exactly between them (default 1).
  --connections <n>         Keep-alive connections per worker (default 64).
  --connection-ttl <time>   Recycle connections after this long so new pods get traffic (default off).
  --warmup <n>              GET /health requests before the start (not recorded) to open the
                            connections and warm up the client (default 200; 0 = off).
  --timeout <time>          Per-request timeout (default 30s).
  --interval <time>         Reporting interval, 1s to 5s (default 1s).

SCENARIO
  --scenario <file>         JSON or YAML scenario (mix, stages, setup, thresholds); flags override.
  --mix <op=w,...>          Weights: get list search create bulk fastBulk update delete
                            (default get=50,search=15,update=10,create=8,bulk=5,fastBulk=5,delete=5,list=2).
  --bulk-size <n>           Portfolios per bulk and fastBulk request, 1..100 (default 10).
  --search-mode <m>         exact | like | mixed (default mixed).
  --seed <n>                Random seed; the same seed repeats the same operation sequence (default 1).
  --setup <n>               Portfolios created through v2 bulk before the run (default 200).
  --cleanup                 Delete every portfolio the run created or seeded, afterwards.
  --tag <text>              Name prefix tag (default: derived from the start time).

OUTPUT
  --json <file>             Final summary (schema globeco-loadgen/report v1, with histograms);
                            - for stdout.
  --html <file>             Self-contained HTML report (charts inlined, no network needed).
  --intervals <file>        Per-interval rows: .csv for CSV, anything else NDJSON.
  --progress <mode>         auto | tty | plain | none (default auto: one updating line on a TTY,
                            a plain line every 5 s otherwise).

THRESHOLDS
  --threshold <expr>        Repeatable. [<op>.]<metric><op><value>[unit], e.g.
                              'p99<250ms'  'errors<1%'  'get.p95<50ms'  'achieved>=95%'
                            metrics: p50 p90 p95 p99 p999 max mean min (response time),
                            service_p99 etc. (service time), errors conflicts dropped late
                            (count or %), requests, rps, achieved (req/s or % of target).

DISTRIBUTED
  --shard <i/N>             Run shard i of N (0-based): 1/N of the arrivals, interleaved exactly.
  --shards <N>              Same, with i from the JOB_COMPLETION_INDEX environment variable
                            (Kubernetes Indexed Jobs).
  --start-at <when>         Common start: ISO time, epoch ms, or align:<time> (the next multiple
                            of <time> on the wall clock, e.g. align:30s).
  merge a.json b.json ...   Merges shard reports exactly (histograms added, thresholds
                            re-evaluated on the whole) into one report.

AUTOSCALING VIEW
  --metrics-url <url>       Poll the service's Prometheus /metrics (in-flight requests, event-loop
                            utilisation) once per interval.
  --prometheus <url>        Prometheus server to query for replicas and pod CPU.
  --deployment <name>       Deployment to watch (default globeco-portfolio-service).
  --namespace <ns>          Its namespace (default globeco).

EXIT CODES
  0  run completed, every threshold passed
  1  unexpected failure (target unreachable during setup, bug)
  2  configuration error (bad flag, scenario field or threshold expression)
  3  at least one threshold failed
  4  the generator was the bottleneck (saturated): the figures understate the service
`;
