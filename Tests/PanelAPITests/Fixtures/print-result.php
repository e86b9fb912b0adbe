<?php
// Appended by tests with `php -d auto_append_file=...` so the vendor files stay verbatim.
echo json_encode($api_result);
