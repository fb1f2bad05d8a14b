using Tcd.Models.Data.Glue;
using Tcd.Models.Evaluation;

namespace Tcd.Quickstart;

/// <summary>A finished fine-tuning's dev scores, and the one answer it gave every dev example if it did.</summary>
/// <param name="Scores">The task's dev metrics and score.</param>
/// <param name="OneAnswer">
/// The class every dev prediction was (<see cref="Tcd.Experiments.Glue.GlueOneAnswer.Describe(GlueTask, IReadOnlyList{int})"/>),
/// whose scores are then those of a constant answer; null when the predictions differed, and for results stored by
/// quickstarts that did not record it.
/// </param>
internal sealed record QuickstartTaskResult(GlueTaskResult Scores, string? OneAnswer);
