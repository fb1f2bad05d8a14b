using Tcd.Experiments.Glue;

namespace Tcd.Cli.Commands;

/// <summary>What <c>tcd glue</c> was asked to do.</summary>
/// <param name="Suite">The suite's models, tasks, grid and output.</param>
/// <param name="Threads">libtorch CPU threads, or null for libtorch's choice.</param>
internal sealed record GlueSettings(GlueSuiteOptions Suite, int? Threads);
