#include <cstdlib>

#include <respan/client.hpp>

#include "http/pipeline.hpp"

namespace respan {

RespanClient::RespanClient(Validated, ClientOptions options)
    : pipeline_(std::make_shared<const detail::Pipeline>(std::move(options))) {}

RespanClient::RespanClient(ClientOptions options)
    : RespanClient(Validated{}, detail::validate_options(std::move(options)).value()) {}

Result<RespanClient> RespanClient::create(ClientOptions options) {
  Result<ClientOptions> valid = detail::validate_options(std::move(options));
  if (!valid) return std::move(valid).error();
  return RespanClient(Validated{}, std::move(valid).value());
}

Result<RespanClient> RespanClient::from_env(ClientOptions defaults) {
  auto env = [](const char* name) -> const char* {
    const char* v = std::getenv(name);
    return (v != nullptr && *v != '\0') ? v : nullptr;
  };
  if (const char* key = env("RESPAN_API_KEY")) {
    defaults.api_key = key;
  } else if (const char* legacy = env("KEYWORDSAI_API_KEY")) {
    defaults.api_key = legacy;
  }
  if (const char* url = env("RESPAN_BASE_URL")) {
    defaults.base_url = url;
  } else if (const char* legacy_url = env("KEYWORDSAI_BASE_URL")) {
    defaults.base_url = legacy_url;
  }
  if (const char* ca = env("RESPAN_CA_BUNDLE")) defaults.ca_bundle = ca;
  if (defaults.api_key.empty()) {
    return Error::make(ErrorCode::invalid_argument,
                       "RESPAN_API_KEY is not set (and ClientOptions::api_key is empty)");
  }
  return create(std::move(defaults));
}

RequestLogsResource RespanClient::request_logs() const {
  return RequestLogsResource(pipeline_);
}

DatasetsResource RespanClient::datasets() const {
  return DatasetsResource(pipeline_);
}

DatasetLogsResource RespanClient::dataset_logs(std::string dataset_id) const {
  return DatasetLogsResource(pipeline_, std::move(dataset_id));
}

TracesResource RespanClient::traces() const {
  return TracesResource(pipeline_);
}

ScoresResource RespanClient::scores() const {
  return ScoresResource(pipeline_);
}

PromptsResource RespanClient::prompts() const {
  return PromptsResource(pipeline_);
}

CustomersResource RespanClient::customers() const {
  return CustomersResource(pipeline_);
}

ThreadsResource RespanClient::threads() const {
  return ThreadsResource(pipeline_, request_logs());
}

const ClientOptions& RespanClient::options() const noexcept {
  return pipeline_->options();
}

}  // namespace respan
