<?php
// The vendor's "List All Resellers" example, verbatim; $panel_url and $api_key as in the
// page's first example. Tests replace only the URL and key values.
$panel_url = 'http://your-domain:8000/';
$api_key = 'your_api_key';
$post_data = array('api_key' => $api_key);
$opts = array('http' => array(
'method' => 'POST',
'header' => 'Content-type: application/x-www-form-urlencoded',
'content' => http_build_query($post_data)
));
$context = stream_context_create($opts);
$api_result = json_decode(file_get_contents($panel_url . "api/resellers/list", false, $context), true);
