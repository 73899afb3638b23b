# Sourced by bench/load/run.sh and bench/fuzz/run.sh: the ops tools (locust, schemathesis)
# live in their own venv, .venv-ops, made from requirements-ops.txt on first use, so the
# project's .venv never carries them.
OPS=.venv-ops
if [ ! -x $OPS/bin/locust ] || [ ! -x $OPS/bin/schemathesis ]; then
  python3 -m venv $OPS
  $OPS/bin/pip install --quiet -r requirements-ops.txt
fi
