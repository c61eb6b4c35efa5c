// The one HTTP error boundary: how a failure becomes a status code and a JSON body.
//
// Every error response of the API is {"error": {"code": "...", "message": "..."}}.
// Handlers return a Status; HttpErrorFromStatus maps it. HTTP-level failures that have no
// Status equivalent (405, 415, 431) are built with MakeHttpError. Internal errors never
// carry their message to the client: it is logged with the request id instead.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace salesflow::api {

struct HttpError {
  int http_status = 500;
  std::string code;     // stable snake_case: "invalid_argument", "method_not_allowed", ...
  std::string message;  // safe to show a client
};

// The mapping (docs/api.md "Errors"). kInternal/kDataLoss/unknown become a 500 whose
// message only names the request id, so no internals leak.
// REQUIRES: !status.ok()
HttpError HttpErrorFromStatus(const Status& status, std::string_view request_id);

HttpError MakeHttpError(int http_status, std::string code, std::string message);

// For errors the HTTP library produced itself (malformed request line, header too large,
// URI too long, payload too large ...): a code and message from the status alone.
HttpError HttpErrorForLibraryStatus(int http_status);

// {"error":{"code":...,"message":...}}
std::string ErrorBody(const HttpError& error);

}  // namespace salesflow::api
