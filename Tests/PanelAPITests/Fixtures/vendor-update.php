<?php
// The vendor's "Edit a Reseller" example, verbatim; the page defines $panel_url and $api_key
// in its first example, repeated here. Tests replace only the URL and key values.
$panel_url = 'http://your-domain:8000/';
$api_key = 'your_api_key';
$id = 5;
$credits = 100;
$post_data = array(
'api_key' => $api_key,
'id' => $id,
'data' => array('credits' => $credits)
);
$opts = array('http' => array(
'method' => 'POST',
'header' => 'Content-type: application/x-www-form-urlencoded',
'content' => http_build_query($post_data)
));
$context = stream_context_create($opts);
$api_result = json_decode(file_get_contents($panel_url . "api/resellers/update", false, $context), true);
