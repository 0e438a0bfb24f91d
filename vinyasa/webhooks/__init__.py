"""Asana's webhooks (digest §C.11): subscriptions, the handshake, signed delivery from the journal."""
