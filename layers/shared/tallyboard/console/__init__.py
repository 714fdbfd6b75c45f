"""The console: server-rendered pages a team opens in a browser. It is a client of the public
API (tallyboard_client, with the signed-in key), never of the tables."""
