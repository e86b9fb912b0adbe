<?php
// The vendor's "Add a New Reseller" example from midnightstreamer-resellers-api.txt, verbatim.
// Tests replace only the URL and key values below.
$panel_url = 'http://your-domain:8000/';
$api_key = 'your_api_key';
$name = 'test_reseller';
$max_allowed_connections = 100;
$use_credits = true;
$credits = 50;
$post_data = array(
'api_key' => $api_key,
'data' => array(
'name' => $name,
'max_allowed_connections' => $max_allowed_connections,
'use_credits' => $use_credits,
'credits' => $credits
)
);
$opts = array('http' => array(
'method' => 'POST',
'header' => 'Content-type: application/x-www-form-urlencoded',
'content' => http_build_query($post_data)
));
$context = stream_context_create($opts);
$api_result = json_decode(file_get_contents($panel_url . "api/resellers/new", false, $context), true);
