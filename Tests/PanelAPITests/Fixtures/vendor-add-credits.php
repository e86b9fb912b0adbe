<?php
// The vendor's "Add Credits to a Reseller" example, verbatim; $panel_url and $api_key as in
// the page's first example. Tests replace only the URL and key values.
$panel_url = 'http://your-domain:8000/';
$api_key = 'your_api_key';
$id = 5;
$credits = 25;
$post_data = array(
'api_key' => $api_key,
'id' => $id,
'credits' => $credits
);
$opts = array('http' => array(
'method' => 'POST',
'header' => 'Content-type: application/x-www-form-urlencoded',
'content' => http_build_query($post_data)
));
$context = stream_context_create($opts);
$api_result = json_decode(file_get_contents($panel_url . "api/resellers/add_credits", false, $context), true);
