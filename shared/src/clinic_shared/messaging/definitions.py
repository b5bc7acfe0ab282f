"""Print the events topology as RabbitMQ definitions, for a broker that declares it at boot:

    python -m clinic_shared.messaging.definitions > deploy/compose/rabbitmq-topology.json

(tests/deploy/test_compose_broker.py fails when the committed file differs from this output).
"""

from __future__ import annotations

import json

from clinic_shared.messaging.topology import broker_definitions


def render(namespace: str = "") -> str:
    return json.dumps(broker_definitions(namespace), indent=2) + "\n"


if __name__ == "__main__":
    print(render(), end="")
