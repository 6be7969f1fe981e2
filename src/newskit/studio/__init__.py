"""Stage 3, labels (online): every call to Label Studio lives here: the client, the local server, push, pull.

No offline stage imports this package, so the Label Studio SDK loads only for commands that need a server.
"""
