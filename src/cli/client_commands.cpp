#include "cli/client_commands.h"

#include <string>

namespace salesflow::cli {
namespace {

using Context = std::shared_ptr<const CommandContext>;

// The callback of one subcommand: connect, run, turn a non-zero exit code into
// CLI::RuntimeError (which CLI11_PARSE returns without printing).
template <typename Args, typename Run>
std::function<void()> Action(const Context& context, std::shared_ptr<Args> args, Run run) {
  return [context, args, run] {
    int code = kExitOk;
    auto client = context->connect();
    if (!client.ok()) {
      *context->console.err << "salesflow: " << client.status().message() << '\n';
      code = kExitUsage;
    } else {
      code = run(*args, **client, *context);
    }
    if (code != kExitOk) throw CLI::RuntimeError(code);
  };
}

void AddReaderOptions(CLI::App& command, ReaderOptions& reader) {
  command.add_option("--date-format", reader.date_format,
                     "Date format of the report, strftime style, e.g. %d/%m/%Y");
  command.add_option("--delimiter", reader.delimiter, "Field delimiter: , ; | or tab");
  command.add_option("--encoding", reader.encoding,
                     "Fallback encoding of text that is not UTF-8, e.g. windows-1252");
  command.add_option("--currency", reader.currency,
                     "ISO 4217 currency of rows without a currency column");
}

// An optional<double> option: CLI11 2.1 fills a plain double, the callback reads count().
CLI::Option* AddRatioOption(CLI::App& command, std::shared_ptr<double> value) {
  return command
      .add_option("--max-reject-ratio", *value,
                  "Fail the load when more than this fraction of rows is rejected (0..1)")
      ->check(CLI::Range(0.0, 1.0));
}

void RegisterReports(CLI::App& app, const Context& context) {
  auto args = std::make_shared<ReportsArgs>();
  auto* command = app.add_subcommand("reports", "List reports in storage with their status");
  command->add_option("--prefix", args->prefix, "Only keys starting with this prefix");
  command->add_flag("--json", args->json, "Print the server's JSON");
  command->callback(
      Action(context, args, [](const ReportsArgs& a, ApiClient& c, const CommandContext& ctx) {
        return RunReports(a, c, ctx.console);
      }));
}

void RegisterUpload(CLI::App& app, const Context& context) {
  auto args = std::make_shared<UploadArgs>();
  auto* command = app.add_subcommand("upload", "Upload report files (streamed from disk)");
  command->add_option("FILE", args->files, "Files to upload")->required();
  command->add_option("--key", args->key, "Object key (one file only; default: file name)");
  command->add_option("--prefix", args->prefix, "Key prefix put before each file name");
  command->callback(
      Action(context, args, [](const UploadArgs& a, ApiClient& c, const CommandContext& ctx) {
        return RunUpload(a, c, ctx.console);
      }));
}

void RegisterProcess(CLI::App& app, const Context& context) {
  auto args = std::make_shared<ProcessArgs>();
  auto ratio = std::make_shared<double>(0.0);
  auto* command = app.add_subcommand("process", "Load reports into the warehouse");
  command->add_option("KEY", args->keys, "Report keys to process");
  command->add_flag("--pending", args->pending, "Every report whose status is new or changed");
  command->add_option("--prefix", args->prefix, "With --pending: only keys under this prefix");
  command->add_flag("--wait", args->wait, "Wait for the jobs, with progress; exit 4 if one fails");
  command->add_flag("--dry-run", args->dry_run, "Validate fully, write nothing");
  command->add_flag("--force", args->force, "Reload even when the content is unchanged");
  command->add_flag("--json", args->json, "Print JSON (with --wait: the final jobs)");
  command->add_option("--map", args->map, "Column mapping COLUMN=HEADER, e.g. order_id=InvoiceNo");
  AddReaderOptions(*command, args->reader);
  CLI::Option* ratio_option = AddRatioOption(*command, ratio);
  command->callback(
      Action(context, args,
             [ratio, ratio_option](const ProcessArgs& a, ApiClient& c, const CommandContext& ctx) {
               ProcessArgs with_ratio = a;
               if (ratio_option->count() > 0) with_ratio.max_reject_ratio = *ratio;
               return RunProcess(with_ratio, c, ctx.console, ctx.poll);
             }));
}

void RegisterJobs(CLI::App& app, const Context& context) {
  auto args = std::make_shared<JobsArgs>();
  auto* command = app.add_subcommand("jobs", "Show recent jobs, or one job");
  command->add_option("ID", args->id, "A job id");
  command->add_flag("--json", args->json, "Print the server's JSON");
  command->callback(
      Action(context, args, [](const JobsArgs& a, ApiClient& c, const CommandContext& ctx) {
        return RunJobs(a, c, ctx.console);
      }));
}

void RegisterStats(CLI::App& app, const Context& context) {
  auto args = std::make_shared<StatsArgs>();
  auto top = std::make_shared<int>(0);
  auto* command = app.add_subcommand("stats", "Sales totals, optionally grouped");
  command->add_option("--from", args->from, "First day, YYYY-MM-DD (inclusive)");
  command->add_option("--to", args->to, "Last day, YYYY-MM-DD (inclusive)");
  command->add_option("--by", args->by,
                      "Group by day, month, category, region, country, channel or sku");
  CLI::Option* top_option = command->add_option("--top", *top, "Keep the first N groups");
  command->add_option("--currency", args->currency, "Currency of the totals (ISO 4217)");
  command->add_flag("--json", args->json, "Print the server's JSON");
  command->callback(
      Action(context, args,
             [top, top_option](const StatsArgs& a, ApiClient& c, const CommandContext& ctx) {
               StatsArgs with_top = a;
               if (top_option->count() > 0) with_top.top = *top;
               return RunStats(with_top, c, ctx.console);
             }));
}

void RegisterRejects(CLI::App& app, const Context& context) {
  auto args = std::make_shared<RejectsArgs>();
  auto* command = app.add_subcommand("rejects", "Download a report's rejected rows as CSV");
  command->add_option("KEY", args->key, "Report key")->required();
  command->add_option("--out", args->out, "Write to this file instead of stdout");
  command->callback(
      Action(context, args, [](const RejectsArgs& a, ApiClient& c, const CommandContext& ctx) {
        return RunRejects(a, c, ctx.console);
      }));
}

void RegisterUnload(CLI::App& app, const Context& context) {
  auto args = std::make_shared<UnloadArgs>();
  auto* command = app.add_subcommand("unload", "Remove a report's rows from the warehouse");
  command->add_option("KEY", args->key, "Report key")->required();
  command->callback(
      Action(context, args, [](const UnloadArgs& a, ApiClient& c, const CommandContext& ctx) {
        return RunUnload(a, c, ctx.console);
      }));
}

void RegisterMapping(CLI::App& app, const Context& context) {
  auto* mapping = app.add_subcommand("mapping", "Stored column mappings per key prefix");
  mapping->require_subcommand(1);

  auto set_args = std::make_shared<MappingArgs>();
  auto ratio = std::make_shared<double>(0.0);
  auto* set = mapping->add_subcommand("set", "Store the mapping and reader options of a prefix");
  set->add_option("PREFIX", set_args->prefix, "Key prefix")->required();
  set->add_option("--map", set_args->map, "Column mapping COLUMN=HEADER");
  AddReaderOptions(*set, set_args->reader);
  CLI::Option* ratio_option = AddRatioOption(*set, ratio);
  set->callback(
      Action(context, set_args,
             [ratio, ratio_option](const MappingArgs& a, ApiClient& c, const CommandContext& ctx) {
               MappingArgs with_ratio = a;
               if (ratio_option->count() > 0) with_ratio.max_reject_ratio = *ratio;
               return RunMappingSet(with_ratio, c, ctx.console);
             }));

  auto get_args = std::make_shared<MappingArgs>();
  auto* get = mapping->add_subcommand("get", "Show the stored mapping of a prefix");
  get->add_option("PREFIX", get_args->prefix, "Key prefix")->required();
  get->add_flag("--json", get_args->json, "Print the server's JSON");
  get->callback(
      Action(context, get_args, [](const MappingArgs& a, ApiClient& c, const CommandContext& ctx) {
        return RunMappingGet(a, c, ctx.console);
      }));

  auto delete_args = std::make_shared<MappingArgs>();
  auto* del = mapping->add_subcommand("delete", "Delete the stored mapping of a prefix");
  del->add_option("PREFIX", delete_args->prefix, "Key prefix")->required();
  del->callback(Action(context, delete_args,
                       [](const MappingArgs& a, ApiClient& c, const CommandContext& ctx) {
                         return RunMappingDelete(a, c, ctx.console);
                       }));

  auto list_args = std::make_shared<MappingArgs>();
  auto* list = mapping->add_subcommand("list", "List stored mappings");
  list->add_flag("--json", list_args->json, "Print the server's JSON");
  list->callback(
      Action(context, list_args, [](const MappingArgs& a, ApiClient& c, const CommandContext& ctx) {
        return RunMappingList(a, c, ctx.console);
      }));
}

}  // namespace

CommandContext DefaultCommandContext() {
  CommandContext context;
  context.console = ProcessConsole();
  context.connect = [] { return ApiClient::Create(ClientConfigFromEnv()); };
  return context;
}

void RegisterClientCommands(CLI::App& app) { RegisterClientCommands(app, DefaultCommandContext()); }

void RegisterClientCommands(CLI::App& app, CommandContext context) {
  const auto shared = std::make_shared<const CommandContext>(std::move(context));
  RegisterReports(app, shared);
  RegisterUpload(app, shared);
  RegisterProcess(app, shared);
  RegisterJobs(app, shared);
  RegisterStats(app, shared);
  RegisterRejects(app, shared);
  RegisterUnload(app, shared);
  RegisterMapping(app, shared);
}

}  // namespace salesflow::cli
