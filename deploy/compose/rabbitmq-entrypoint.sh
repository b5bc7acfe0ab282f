#!/bin/bash
# The broker's entrypoint in docker-compose.yml: write the broker's definitions (users,
# permissions and the events topology), then start RabbitMQ as the image does. rabbitmq.conf
# (beside this file) loads them at every boot (`load_definitions`), so a changed password takes
# effect at the next restart, and a node that loads definitions at boot creates no `guest` user.
#
# One user per service, each with its own password from the environment. RabbitMQ's definitions
# hold password hashes, not passwords: each is hashed here as RabbitMQ does
# (rabbit_password_hashing_sha256: base64 of a 4-byte salt, then SHA-256 of salt+password), so no
# password is written to disk.
#
# The topology (rabbitmq-topology.json, made by `python -m clinic_shared.messaging.definitions`)
# declares every consumer's queues at boot, and the services run with
# AMQP_DECLARE_ALL_QUEUES=false: each declares only the exchange and its own queues. A service's
# user (configure / write / read regular expressions on the `/` vhost, no AMQP_NAMESPACE) may:
#   configure: the events exchange, its queue, its .delay (retries) and .dlq (dead letters), and
#              its classic .retry queue of before issue 16 (drained and deleted);
#   write:     publish to the exchange, bind its queue to it, publish its retries and dead letters
#              through the default exchange (amq.default; declaring a queue whose dead letters go
#              there needs it too);
#   read:      bind from the exchange, consume its queue, declare its queues that dead-letter
#              (RabbitMQ asks for read on those), drain its classic .retry queue.
# Nothing on another service's queues. And on the events exchange (topic permissions), a service
# publishes only events of its own (routing keys `<service>.`); it may bind to any.
# SECURITY.md "Production defaults of docker-compose.yml" says what amq.default still allows.
set -euo pipefail

out=${CLINIC_RABBITMQ_DEFINITIONS:-/etc/rabbitmq/clinic-definitions.json}
topology=${CLINIC_RABBITMQ_TOPOLOGY:-/etc/rabbitmq/clinic-topology.json}

hash_password() {
    local salt digest
    salt=$(mktemp) digest=$(mktemp)
    head -c 4 /dev/urandom >"$salt"
    { cat "$salt"; printf '%s' "$1"; } | openssl dgst -sha256 -binary >"$digest"
    cat "$salt" "$digest" | base64 -w0
    rm -f "$salt" "$digest"
}

users=() permissions=() topic_permissions=()
for service in scheduling inventory notifications; do
    variable="RABBITMQ_${service^^}_PASSWORD"
    password=${!variable:-}
    if [ -z "$password" ]; then
        echo "rabbitmq-entrypoint: $variable is not set" >&2
        exit 1
    fi
    s="$service"
    users+=("{\"name\": \"$s\", \"password_hash\": \"$(hash_password "$password")\", \"hashing_algorithm\": \"rabbit_password_hashing_sha256\", \"tags\": []}")
    permissions+=("{\"user\": \"$s\", \"vhost\": \"/\", \"configure\": \"^(clinic\\\\.events|$s(\\\\.delay|\\\\.dlq|\\\\.retry)?)\$\", \"write\": \"^(clinic\\\\.events|amq\\\\.default|$s)\$\", \"read\": \"^(clinic\\\\.events|$s(\\\\.delay|\\\\.retry)?)\$\"}")
    topic_permissions+=("{\"user\": \"$s\", \"vhost\": \"/\", \"exchange\": \"clinic.events\", \"write\": \"^$s\\\\.\", \"read\": \".*\"}")
done

join() { local IFS=,; echo "$*"; }
umask 077
{
    printf '{\n  "users": [%s],\n  "permissions": [%s],\n  "topic_permissions": [%s],\n' \
        "$(join "${users[@]}")" "$(join "${permissions[@]}")" "$(join "${topic_permissions[@]}")"
    tail -n +2 "$topology"  # the topology's own object, less its opening brace
} >"$out"
if [ "$(id -u)" = 0 ] && id rabbitmq >/dev/null 2>&1; then
    chown rabbitmq:rabbitmq "$out"
fi

[ $# -eq 0 ] && exit 0  # only write the definitions (what the tests run)
exec docker-entrypoint.sh "$@"
