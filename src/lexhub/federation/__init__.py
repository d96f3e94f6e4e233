"""Federation: nodes that answer each other's searches under their own agreements.

A node has a name and an Ed25519 federation key (`identity`, separate from the audit key).
Peers are registered with their public keys and the agencies they may speak for
(`peers`). Requests between nodes are signed with RFC 9421 HTTP Message Signatures
(`signing`) and carry the requester's context (`wire`). The answering node checks the
signature and the agency and runs its own audited search (`answer`); the calling node fans
a search out to every peer with a deadline and merges the hits (`broker`, over
`transport`). Nodes keep each other's audit checkpoints (`witness`). docs/federation.md.
"""

from lexhub.federation.answer import AnsweringNode
from lexhub.federation.broker import (
    DEFAULT_DEADLINE,
    FederatedResult,
    NodeHit,
    NodeStatus,
    federated_search,
    remote_record,
)
from lexhub.federation.identity import (
    NodeIdentity,
    NodeKey,
    ensure_node_key,
    public_key_pem,
    read_public_key_file,
    rotate_node_key,
)
from lexhub.federation.peers import PeerCheck, add_peer, check_peer, find_peer, remove_peer
from lexhub.federation.signing import DEFAULT_WINDOW, RequestRefused, sign_request, verify_request
from lexhub.federation.witness import PeerHeld, exchange_checkpoints, peer_anchors

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_WINDOW",
    "AnsweringNode",
    "FederatedResult",
    "NodeHit",
    "NodeIdentity",
    "NodeKey",
    "NodeStatus",
    "PeerCheck",
    "PeerHeld",
    "RequestRefused",
    "add_peer",
    "check_peer",
    "ensure_node_key",
    "exchange_checkpoints",
    "federated_search",
    "find_peer",
    "peer_anchors",
    "public_key_pem",
    "read_public_key_file",
    "remote_record",
    "remove_peer",
    "rotate_node_key",
    "sign_request",
    "verify_request",
]
