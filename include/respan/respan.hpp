/// @file respan.hpp
/// @brief Umbrella header: everything a user of the respan client needs.
#pragma once

#include <respan/batch_logger.hpp>
#include <respan/client.hpp>
#include <respan/customers.hpp>
#include <respan/dataset_logs.hpp>
#include <respan/datasets.hpp>
#include <respan/error.hpp>
#include <respan/filters.hpp>
#include <respan/json.hpp>
#include <respan/models/common.hpp>
#include <respan/models/customer.hpp>
#include <respan/models/dataset.hpp>
#include <respan/models/dataset_log.hpp>
#include <respan/models/prompt.hpp>
#include <respan/models/request_log.hpp>
#include <respan/models/score.hpp>
#include <respan/models/thread.hpp>
#include <respan/models/trace.hpp>
#include <respan/options.hpp>
#include <respan/pagination.hpp>
#include <respan/privacy.hpp>
#include <respan/prompt_cache.hpp>
#include <respan/prompt_template.hpp>
#include <respan/prompts.hpp>
#include <respan/request_logs.hpp>
#include <respan/result.hpp>
#include <respan/retry.hpp>
#include <respan/scores.hpp>
#include <respan/threads.hpp>
#include <respan/traces.hpp>
#include <respan/tracing.hpp>
#include <respan/transport.hpp>
#include <respan/version.hpp>
