using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using Tcd.Models.Training;
using TorchSharp;
using static Tcd.Models.Tests.Training.FineTuningFixture;
using static Tcd.Models.Tests.Training.PretrainerFixture;

namespace Tcd.Models.Tests.Training;

/// <summary>Fine-tuning checkpoints: a stopped run resumed gives the run that was never stopped.</summary>
public sealed class FineTunerCheckpointTests(FineTunerCheckpointTests.NeverStoppedRun neverStopped)
    : IClassFixture<FineTunerCheckpointTests.NeverStoppedRun>, IDisposable
{
    private readonly string root = NewRoot();

    public void Dispose() => DeleteRoot(root);

    /// <summary>
    /// The run never stopped that each case of <see cref="A_stopped_run_resumed_gives_the_run_that_was_never_stopped"/>
    /// compares with, trained once for them all in a folder of its own: its seeds make it the same run every time.
    /// </summary>
    public sealed class NeverStoppedRun : IDisposable
    {
        private readonly string root = NewRoot();

        private readonly Lazy<(Outcome Outcome, string[] MetricsRows)> run;

        public NeverStoppedRun() => run = new(() =>
        {
            var metrics = Path.Combine(root, "straight.jsonl");
            var outcome = Train(NewClassifier(), OptionsIn(root, "straight") with { MetricsFile = metrics });
            return (outcome, File.ReadAllLines(metrics));
        });

        internal Outcome Outcome => run.Value.Outcome;

        internal string[] MetricsRows => run.Value.MetricsRows;

        public void Dispose() => DeleteRoot(root);
    }

    private static string NewRoot() => Path.Combine(Path.GetTempPath(), "tcd-finetune-checkpoints-" + Guid.NewGuid().ToString("N"));

    private static void DeleteRoot(string root)
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private FineTuningOptions Options(string? folder = "checkpoints") => OptionsIn(root, folder);

    /// <summary>12 examples in batches of 4: 3 steps an epoch, 9 in all.</summary>
    private static FineTuningOptions OptionsIn(string root, string? folder) => Fast(epochs: 3) with
    {
        CheckpointDirectory = folder is null ? null : Path.Combine(root, folder),
        CheckpointEvery = 2,
    };

    /// <summary>The validation cross-entropy: it falls as the model learns, so the best epoch (highest) is an early one.</summary>
    private static double RisingWithTraining(float[][] logits, IReadOnlyList<float> targets) =>
        logits.Select((row, i) => Math.Log(row.Sum(v => Math.Exp(v))) - row[(int)targets[i]]).Average();

    internal sealed record Outcome(FineTuningResult Result, List<FineTuningProgress> Reports, Dictionary<string, float[]> Weights);

    /// <summary>
    /// Trains (cancelling at the first report of step <paramref name="stopAfterStep"/> when given, or at its epoch's
    /// summary with <paramref name="afterTheEpochSummary"/>) and collects every report.
    /// </summary>
    private static Outcome Train(
        BertForSequenceClassification model, FineTuningOptions options, long? stopAfterStep = null,
        Func<float[][], IReadOnlyList<float>, double>? score = null, List<FineTuningExample>? train = null, bool afterTheEpochSummary = false)
    {
        using var cancellation = new CancellationTokenSource();
        var reports = new List<FineTuningProgress>();
        var tuner = new FineTuner(model, options, Encoder.SpecialTokenIds);
        var result = tuner.Train(train ?? SentimentExamples(), SentimentExamples(), score ?? RisingWithTraining, new SynchronousProgress<FineTuningProgress>(report =>
        {
            reports.Add(report);
            if (report.Step == stopAfterStep && report.IsEpochSummary == afterTheEpochSummary && !IsValidationReport(report))
            {
                cancellation.Cancel();
            }
        }), cancellation.Token);
        return new Outcome(result, reports, Snapshot(model));
    }

    private static List<double> StepLosses(IEnumerable<FineTuningProgress> reports) =>
        reports.Where(IsStepReport).Select(report => report.Loss).ToList();

    private static bool IsValidationReport(FineTuningProgress report) => report.ValidationExamplesScored is not null;

    private static bool IsStepReport(FineTuningProgress report) => !report.IsEpochSummary && !IsValidationReport(report);

    [Theory]
    [InlineData(2, false)] // mid-epoch, on a step checkpoint
    [InlineData(5, false)] // mid-epoch, after a step without one: the cancellation writes it
    [InlineData(3, false)] // the epoch's last step, cut before its validation: the cancellation writes it
    [InlineData(6, false)] // the same on a checkpoint step: the checkpoint waits for the validation the cancellation cuts
    [InlineData(6, true)] // after that validation and the checkpoint that follows it
    public void A_stopped_run_resumed_gives_the_run_that_was_never_stopped(long stopAfterStep, bool afterTheEpochSummary)
    {
        var straight = neverStopped.Outcome;
        var stopped = Train(NewClassifier(), Options() with { MetricsFile = Path.Combine(root, "resumed.jsonl") }, stopAfterStep, afterTheEpochSummary: afterTheEpochSummary);
        var resumed = Train(NewClassifier(), Options() with { MetricsFile = Path.Combine(root, "resumed.jsonl") });

        straight.Result.BestEpoch.Should().Be(1, "the score is the validation loss, highest before training lowers it");
        stopped.Result.Cancelled.Should().BeTrue();
        stopped.Result.LastCheckpoint.Should().EndWith($"step-{stopAfterStep:D8}");
        resumed.Result.ResumedFromStep.Should().Be(stopAfterStep);
        resumed.Result.Cancelled.Should().BeFalse();
        StepLosses(stopped.Reports).Concat(StepLosses(resumed.Reports))
            .Should().Equal(StepLosses(straight.Reports), (a, b) => Math.Abs(a - b) <= 1e-6);
        resumed.Result.EpochLosses.Should().Equal(straight.Result.EpochLosses, (a, b) => Math.Abs(a - b) <= 1e-6);
        resumed.Result.EpochScores.Should().Equal(straight.Result.EpochScores, (a, b) => Math.Abs(a - b) <= 1e-6);
        resumed.Result.BestEpoch.Should().Be(straight.Result.BestEpoch);
        foreach (var (name, values) in straight.Weights)
        {
            resumed.Weights[name].Should().Equal(values, (a, b) => Math.Abs(a - b) <= 1e-6, $"{name} holds the best epoch's weights in both runs");
        }

        resumed.Reports.Where(IsStepReport).Select(report => report.Step)
            .Should().Equal(Enumerable.Range((int)stopAfterStep + 1, 9 - (int)stopAfterStep).Select(step => (long)step));
        // Only the epoch a run cut before its validation finishes before this process runs a step has no speed to estimate from.
        // (The pass that validates that epoch has none either: its rest is known, but not the pace of the steps after it.)
        var withoutEstimate = resumed.Reports.Where(report => report.EstimatedRemaining is null && !IsValidationReport(report)).ToList();
        withoutEstimate.Select(report => report.Step).Should().Equal(stopAfterStep % 3 == 0 && !afterTheEpochSummary ? [stopAfterStep] : []);
        withoutEstimate.Where(report => !report.IsEpochSummary || report.ToString().Contains("ETA", StringComparison.Ordinal)).Should().BeEmpty();
        var rows = File.ReadAllLines(Path.Combine(root, "resumed.jsonl"));
        rows.Should().HaveCount(12, "9 steps and 3 epochs, each once").And.Equal(neverStopped.MetricsRows, (a, b) => SameRow(a, b));
    }

    /// <summary>The same metrics row but for rounding in the last digits.</summary>
    private static bool SameRow(string a, string b)
    {
        static Dictionary<string, double?> Parse(string row) => System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, double?>>(row, TcdJson.Compact)!;
        var (left, right) = (Parse(a), Parse(b));
        return left.Keys.SequenceEqual(right.Keys)
               && left.All(kv => kv.Value is null ? right[kv.Key] is null : right[kv.Key] is { } other && Math.Abs(kv.Value.Value - other) <= 1e-6);
    }

    [Fact]
    public void An_adapter_run_resumes_to_the_same_adapters_and_frozen_weights()
    {
        var adapters = Options() with { Mode = FineTuningMode.Adapters };
        var straight = Train(NewClassifier(), adapters with { CheckpointDirectory = Path.Combine(root, "straight") });
        Train(NewClassifier(), adapters, stopAfterStep: 4);

        var resumed = Train(NewClassifier(), adapters);

        resumed.Result.ResumedFromStep.Should().Be(4);
        resumed.Weights.Keys.Should().Contain(name => name.Contains("adapter", StringComparison.Ordinal));
        foreach (var (name, values) in straight.Weights)
        {
            resumed.Weights[name].Should().Equal(values, (a, b) => Math.Abs(a - b) <= 1e-6, name);
        }
    }

    [Fact]
    public void A_finished_run_deletes_its_checkpoints_so_the_next_run_in_the_folder_starts_afresh()
    {
        var first = Train(NewClassifier(), Options());

        first.Result.LastCheckpoint.Should().BeNull();
        Directory.Exists(Path.Combine(root, "checkpoints")).Should().BeFalse("checkpoints serve only a resume");
        var otherData = Train(NewClassifier(), Options(), train: SentimentExamples().Take(8).ToList());
        otherData.Result.ResumedFromStep.Should().BeNull();
        otherData.Reports[0].Step.Should().Be(1);
    }

    [Fact]
    public void A_finished_run_that_keeps_its_checkpoints_is_run_again_without_training_to_the_same_result()
    {
        var keep = Options() with { KeepCheckpointsWhenDone = true };
        var finished = Train(NewClassifier(), keep);

        finished.Result.LastCheckpoint.Should().EndWith("step-00000009", "the caller may be stopped before it has saved the result");
        var again = Train(NewClassifier(), keep);

        again.Result.ResumedFromStep.Should().Be(9);
        again.Reports.Should().BeEmpty("the run had trained every step");
        again.Result.EpochLosses.Should().Equal(finished.Result.EpochLosses);
        again.Result.EpochScores.Should().Equal(finished.Result.EpochScores);
        again.Result.BestEpoch.Should().Be(finished.Result.BestEpoch);
        foreach (var (name, values) in finished.Weights)
        {
            again.Weights[name].Should().Equal(values, name);
        }
    }

    [Fact]
    public void Only_the_best_epoch_folder_a_checkpoint_refers_to_is_kept()
    {
        var rising = 0.0;
        var result = Train(NewClassifier(), Options() with { KeepCheckpoints = 1 }, stopAfterStep: 8, score: (_, _) => rising += 1).Result;

        result.BestEpoch.Should().Be(2);
        Directory.GetDirectories(Path.Combine(root, "checkpoints")).Select(Path.GetFileName)
            .Should().BeEquivalentTo(["best-epoch-002", "step-00000008"], "step 8 came after epoch 2, the best one then, and replaced step 6, which referred to epoch 1");
    }

    [Fact]
    public void A_damaged_best_epoch_file_points_to_a_checkpoint_before_that_epoch()
    {
        var rising = 0.0;
        Train(NewClassifier(), Options() with { KeepCheckpoints = 3 }, stopAfterStep: 5, score: (_, _) => rising += 1);
        File.WriteAllBytes(Path.Combine(root, "checkpoints", "best-epoch-001", BertModelStore.WeightsFileName), [1, 2, 3]);

        var act = () => Train(NewClassifier(), Options() with { KeepCheckpoints = 3 });

        // Steps 4 and 5 both refer to epoch 1's weights; step 2 came before them.
        act.Should().Throw<CheckpointLoadException>()
            .WithMessage("*step-00000005*best-epoch-001*model.safetensors*step-00000002*")
            .Which.PreviousCheckpoint.Should().EndWith("step-00000002");
    }

    [Fact]
    public void A_best_epoch_folder_left_renamed_aside_by_a_save_killed_while_replacing_it_is_resumed_from()
    {
        Train(NewClassifier(), Options(), stopAfterStep: 5);
        var best = Path.Combine(root, "checkpoints", "best-epoch-001");
        // As a process killed between renaming the folder aside to replace it and moving its replacement in leaves it.
        Directory.Move(best, Path.Combine(root, "checkpoints", ".tmp-replaced-" + Guid.NewGuid().ToString("N") + "-best-epoch-001"));

        var resumed = Train(NewClassifier(), Options());

        resumed.Result.ResumedFromStep.Should().Be(5, "step 5 refers to the weights of epoch 1, which are found again");
        resumed.Result.BestEpoch.Should().Be(1);
    }

    [Fact]
    public void A_checkpoint_that_cannot_be_read_leaves_the_callers_model_as_it_was()
    {
        var stopped = Train(NewClassifier(), Options(), stopAfterStep: 5);
        File.WriteAllBytes(Path.Combine(stopped.Result.LastCheckpoint!, "optimizer.bin"), [1, 2, 3]);
        var model = NewClassifier();
        var before = Snapshot(model);

        var act = () => Train(model, Options());

        act.Should().Throw<CheckpointLoadException>();
        Snapshot(model).ShouldHoldTheSameWeights(before, "every file is read before the model changes");
    }

    [Fact]
    public void Weights_that_are_not_finite_are_never_written_as_a_checkpoint()
    {
        var model = NewClassifier();
        var tuner = new FineTuner(model, Options(), Encoder.SpecialTokenIds);
        var poison = new SynchronousProgress<FineTuningProgress>(report =>
        {
            if (report.Step == 2 && !report.IsEpochSummary)
            {
                using var noGrad = torch.no_grad();
                model.parameters().Last().fill_(float.PositiveInfinity);
            }
        });

        var act = () => tuner.Train(SentimentExamples(), progress: poison);

        act.Should().Throw<TrainingDivergedException>().WithMessage("Fine-tuning diverged at step 2 (epoch 1): parameter * is *")
            .Which.NonFiniteValue.Should().Be(double.PositiveInfinity);
        Directory.Exists(Path.Combine(root, "checkpoints", "step-00000002")).Should().BeFalse();
    }

    [Fact]
    public void A_gradient_norm_that_is_not_finite_behind_a_finite_loss_stops_the_run_leaving_the_weights_as_they_were()
    {
        var model = NewClassifier();
        var tuner = new FineTuner(model, Options(), Encoder.SpecialTokenIds);
        Dictionary<string, float[]>? beforeTheBadStep = null;
        // Arranged after step 3 (epoch 1's last), so step 4 (a checkpoint step) overflows; the last good checkpoint is step 2's.
        var overflow = new SynchronousProgress<FineTuningProgress>(report =>
        {
            if (report.Step == 3 && !report.IsEpochSummary)
            {
                OverflowingGradient.Arrange(model.Bert);
                beforeTheBadStep = Snapshot(model);
            }
        });

        var act = () => tuner.Train(SentimentExamples(), progress: overflow);

        var error = act.Should().Throw<TrainingDivergedException>().Which;
        (error.Step, error.Epoch).Should().Be((4L, 2));
        error.NonFiniteQuantity.Should().Be("the gradient norm");
        double.IsFinite(error.NonFiniteValue).Should().BeFalse();
        error.LastGoodCheckpoint.Should().Be(Path.Combine(root, "checkpoints", "step-00000002"));
        error.Message.Should().StartWith("Fine-tuning diverged at step 4 (epoch 2): the gradient norm is ").And.Contain($"'{error.LastGoodCheckpoint}'");
        new CheckpointStore(Path.Combine(root, "checkpoints")).FindLatestWithStep()!.Value.Step.Should().Be(2, "no checkpoint is written after the bad step");
        Snapshot(model).ShouldHoldTheSameWeights(beforeTheBadStep!, "the optimizer applied nothing of the overflowing gradient");
    }

    [Fact]
    public void A_run_grouped_by_length_resumes_exactly_and_a_run_grouped_otherwise_is_refused()
    {
        var grouped = Options() with { GroupByLength = true, BatchSize = 2 };
        var straight = Train(NewClassifier(), grouped with { CheckpointDirectory = Path.Combine(root, "straight") });
        var stopped = Train(NewClassifier(), grouped, stopAfterStep: 7);
        var resumed = Train(NewClassifier(), grouped);

        StepLosses(stopped.Reports).Concat(StepLosses(resumed.Reports))
            .Should().Equal(StepLosses(straight.Reports), (a, b) => Math.Abs(a - b) <= 1e-6);
        Train(NewClassifier(), grouped, stopAfterStep: 2);
        var ungrouped = () => Train(NewClassifier(), grouped with { GroupByLength = false });
        ungrouped.Should().Throw<CheckpointMismatchException>().Which.Differences.Should().Equal("GroupByLength True (now False)");
    }

    [Fact]
    public void A_run_resumed_without_the_validation_it_started_with_is_refused()
    {
        Train(NewClassifier(), Options(), stopAfterStep: 2);
        var tuner = new FineTuner(NewClassifier(), Options(), Encoder.SpecialTokenIds);

        var act = () => tuner.Train(SentimentExamples(), SentimentExamples());

        act.Should().Throw<CheckpointMismatchException>().Which.Differences
            .Should().Contain("it chose its best epoch by a validation score, this run has none");
    }

    [Fact]
    public void Scores_that_are_not_numbers_survive_a_checkpoint()
    {
        Train(NewClassifier(), Options(), stopAfterStep: 4, score: (_, _) => double.NaN);

        var resumed = Train(NewClassifier(), Options(), score: (_, _) => double.NaN).Result;

        resumed.EpochScores.Should().HaveCount(3).And.OnlyContain(score => double.IsNaN(score));
        resumed.BestEpoch.Should().Be(0);
    }

    [Fact]
    public void A_checkpoint_of_another_run_is_refused_naming_what_differs()
    {
        Train(NewClassifier(), Options(), stopAfterStep: 2);
        var otherExamples = SentimentExamples().Take(8).ToList();

        var act = () => Train(NewClassifier(seed: 6), Options() with { BatchSize = 2, Seed = 8, LearningRate = 5e-3 }, train: otherExamples);

        var error = act.Should().Throw<CheckpointMismatchException>()
            .WithMessage("*step-00000002' belongs to another run: BatchSize 4 (now 2); Seed 7 (now 8); LearningRate 0.01 (now 0.005); " +
                         "the model's weights before training differ*; the training or validation examples differ*Resume to false*")
            .Which;
        error.ParamName.Should().Be("options");
        error.Differences.Should().HaveCount(5);
    }

    [Fact]
    public void The_checkpoint_to_resume_is_checked_against_the_examples_before_any_training()
    {
        var stopped = Train(NewClassifier(), Options(), stopAfterStep: 2);
        var tuner = new FineTuner(NewClassifier(), Options(), Encoder.SpecialTokenIds);

        var forOtherExamples = () => tuner.FindCheckpointToResume(SentimentExamples().Take(8).ToList(), SentimentExamples(), RisingWithTraining);

        forOtherExamples.Should().Throw<CheckpointMismatchException>().Which.Differences.Should().ContainMatch("the training or validation examples differ*");
        tuner.FindCheckpointToResume(SentimentExamples(), SentimentExamples(), RisingWithTraining).Should().Be(stopped.Result.LastCheckpoint);
    }

    [Fact]
    public void A_run_resumed_after_its_checkpoint_was_checked_fingerprints_the_weights_once()
    {
        var stopped = Train(NewClassifier(), Options(), stopAfterStep: 2);
        var tuner = new FineTuner(NewClassifier(), Options(), Encoder.SpecialTokenIds);
        var (train, validation) = (SentimentExamples(), SentimentExamples());

        tuner.FindCheckpointToResume(train, validation, RisingWithTraining).Should().Be(stopped.Result.LastCheckpoint);
        var resumed = tuner.Train(train, validation, RisingWithTraining);

        resumed.ResumedFromStep.Should().Be(2);
        tuner.RunKeysComputed.Should().Be(1, "the run takes the fingerprint its checkpoint was checked with");
        tuner.Train(train, validation, RisingWithTraining);
        tuner.RunKeysComputed.Should().Be(2, "another run starts from the trained weights, so it fingerprints them again");
    }

    [Fact]
    public void A_divergence_names_the_last_good_checkpoint()
    {
        // The learning rate warms up from 0, so the first steps are written before it grows large enough to diverge.
        var act = () => Train(NewClassifier(), Options() with { LearningRate = 1e6, WarmupRatio = 0.5, CheckpointEvery = 1 });

        var error = act.Should().Throw<TrainingDivergedException>().Which;
        var newest = new CheckpointStore(Path.Combine(root, "checkpoints")).FindLatestWithStep();
        newest.Should().NotBeNull();
        newest!.Value.Step.Should().BeLessThan(error.Step);
        error.LastGoodCheckpoint.Should().Be(newest.Value.Path);
        error.Message.Should().Contain($"'{newest.Value.Path}'").And.Contain("lower FineTuningOptions.LearningRate").And.Contain("Resume set to false");
    }

    [Fact]
    public void A_damaged_checkpoint_names_its_file_and_the_previous_checkpoint()
    {
        var stopped = Train(NewClassifier(), Options(), stopAfterStep: 4);
        File.WriteAllBytes(Path.Combine(stopped.Result.LastCheckpoint!, "optimizer.bin"), [1, 2, 3]);

        var act = () => Train(NewClassifier(), Options());

        act.Should().Throw<CheckpointLoadException>()
            .WithMessage("*step-00000004*optimizer.bin*step-00000002*")
            .Which.PreviousCheckpoint.Should().EndWith("step-00000002");
    }

    [Fact]
    public void Without_a_checkpoint_folder_nothing_is_written_and_resume_is_off()
    {
        var tuner = new FineTuner(NewClassifier(), Options(folder: null), Encoder.SpecialTokenIds);

        var result = tuner.Train(SentimentExamples());

        result.LastCheckpoint.Should().BeNull();
        result.ResumedFromStep.Should().BeNull();
        tuner.FindCheckpointToResume().Should().BeNull();
        Directory.Exists(root).Should().BeFalse();
    }

    [Fact]
    public void Resume_false_starts_over_and_replaces_the_old_checkpoints()
    {
        Train(NewClassifier(), Options(), stopAfterStep: 4);

        var fresh = Train(NewClassifier(), Options() with { Resume = false });

        fresh.Result.ResumedFromStep.Should().BeNull();
        fresh.Reports.First().Step.Should().Be(1);
        fresh.Result.EpochLosses.Should().HaveCount(3);
    }

    [Fact]
    public void Resume_false_discards_the_old_checkpoints_at_once_so_a_run_stopped_before_its_first_step_leaves_none()
    {
        Train(NewClassifier(), Options(), stopAfterStep: 4);
        var tuner = new FineTuner(NewClassifier(), Options() with { Resume = false }, Encoder.SpecialTokenIds);

        var startedOver = tuner.Train(SentimentExamples(), cancellationToken: new CancellationToken(canceled: true));

        startedOver.Cancelled.Should().BeTrue();
        new FineTuner(NewClassifier(), Options(), Encoder.SpecialTokenIds).FindCheckpointToResume().Should().BeNull();
        Directory.Exists(Path.Combine(root, "checkpoints")).Should().BeFalse("the best-epoch weights went with the checkpoints");
    }

    [Theory]
    [InlineData(nameof(FineTuningOptions.CheckpointEvery))]
    [InlineData(nameof(FineTuningOptions.KeepCheckpoints))]
    public void Validate_refuses_a_checkpoint_count_below_one(string option)
    {
        var options = option == nameof(FineTuningOptions.CheckpointEvery) ? new FineTuningOptions { CheckpointEvery = 0 } : new FineTuningOptions { KeepCheckpoints = 0 };

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentOutOfRangeException>().WithParameterName(option);
    }
}
