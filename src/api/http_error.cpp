#include "api/http_error.h"

#include <nlohmann/json.hpp>

namespace salesflow::api {

HttpError HttpErrorFromStatus(const Status& status, std::string_view request_id) {
  auto make = [&](int http_status) {
    return HttpError{http_status, std::string(StatusCodeName(status.code())), status.message()};
  };
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return make(400);
    case StatusCode::kUnauthenticated:
      return make(401);
    case StatusCode::kPermissionDenied:
      return make(403);
    case StatusCode::kNotFound:
      return make(404);
    case StatusCode::kAlreadyExists:
    case StatusCode::kConflict:
    case StatusCode::kFailedPrecondition:
      return make(409);
    case StatusCode::kResourceExhausted:
      return make(413);
    case StatusCode::kUnavailable:
    case StatusCode::kCancelled:
      return make(503);
    case StatusCode::kDeadlineExceeded:
      return make(504);
    case StatusCode::kOk:
    case StatusCode::kDataLoss:
    case StatusCode::kInternal:
      break;
  }
  return HttpError{
      500, "internal",
      "internal error; the server log has the details under request id " + std::string(request_id)};
}

HttpError MakeHttpError(int http_status, std::string code, std::string message) {
  return HttpError{http_status, std::move(code), std::move(message)};
}

HttpError HttpErrorForLibraryStatus(int http_status) {
  switch (http_status) {
    case 400:
      return {400, "invalid_argument", "malformed HTTP request"};
    case 404:
      return {404, "not_found", "no such route"};
    case 405:
      return {405, "method_not_allowed", "method not allowed on this route"};
    case 408:
      return {408, "deadline_exceeded", "the request was not received in time"};
    case 413:
      return {413, "resource_exhausted", "request body too large"};
    case 414:
      return {414, "uri_too_long", "request URI too long"};
    case 416:
      return {416, "invalid_argument", "range not satisfiable"};
    case 431:
      return {431, "headers_too_large", "request headers too large"};
    case 503:
      return {503, "unavailable", "service unavailable"};
    default:
      break;
  }
  if (http_status >= 500) return {http_status, "internal", "internal error"};
  return {http_status, "invalid_argument", "request failed"};
}

std::string ErrorBody(const HttpError& error) {
  nlohmann::json body = {{"error", {{"code", error.code}, {"message", error.message}}}};
  // Replace invalid UTF-8 (a hostile key echoed in a message) instead of throwing.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace salesflow::api
