// PanelAPI: the MidnightStreamer Pro client (PHP-exact form encoding, transports, tolerant decoding, typed errors).
