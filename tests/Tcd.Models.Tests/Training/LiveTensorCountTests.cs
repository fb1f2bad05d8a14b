using Tcd.Models.Evaluation;
using Tcd.Models.Runtime;
using Tcd.Models.Tests.Runtime;
using Tcd.Models.Training;
using static Tcd.Models.Tests.Training.FineTuningFixture;
using static Tcd.Models.Tests.Training.PretrainerFixture;

namespace Tcd.Models.Tests.Training;

/// <summary>
/// Every training and inference step runs inside a dispose scope, so the tensors alive between steps (weights, their
/// gradients, the optimizer's moments, the best epoch's weights) are as many after the last step as after the 5th,
/// checkpoints written in between included: a step or checkpoint that left one tensor behind would grow native memory
/// over a long run.
/// </summary>
/// <remarks>The count is <see cref="ThreadTensors.Live"/>.</remarks>
public sealed class LiveTensorCountTests : IDisposable
{
    private const int WarmUpSteps = 5;

    private readonly string folder = Path.Combine(Path.GetTempPath(), "tcd-live-tensors-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Distillation_WithAllRelationLossesAndCheckpoints_LeavesNoTensorBehindFromStepToStep()
    {
        var teacher = NewModel(Vanilla, seed: 3);
        var objective = PretrainingObjective.TransferCapabilityDistillation(attentionWeight: 1);
        var options = FastOptions(25) with { CheckpointDirectory = folder, CheckpointEvery = 4 };
        var trainer = new Pretrainer(NewModel(Moe), objective, options, Encoder, teacher.Bert);
        var liveAfterStep = new List<long>();

        var result = trainer.Run(RepeatedText(), progress: new SynchronousProgress<PretrainingProgress>(_ => liveAfterStep.Add(ThreadTensors.Live)));

        result.LastLosses.Keys.Should().Contain("attention", "λ_A > 0 runs the query-key taps too");
        liveAfterStep.Should().HaveCount(25);
        liveAfterStep.Skip(WarmUpSteps - 1).Distinct().Should().ContainSingle("the count after steps 5 to the last must not move (after each step: {0})", Listed(liveAfterStep));
    }

    [Fact]
    public void FineTuning_WithBestEpochSelectionAndCheckpoints_LeavesNoTensorBehindFromStepToStep()
    {
        // Three steps an epoch; each epoch is validated and may replace the best epoch's copy of the weights, which
        // the next checkpoint writes.
        var options = Fast(epochs: 9) with { CheckpointDirectory = folder, CheckpointEvery = 2 };
        var tuner = new FineTuner(NewClassifier(), options, Encoder.SpecialTokenIds);
        var examples = SentimentExamples();
        var liveAfterStep = new List<long>();

        tuner.Train(examples, examples, Accuracy, new SynchronousProgress<FineTuningProgress>(report =>
        {
            if (!report.IsEpochSummary && report.ValidationExamplesScored is null)
            {
                liveAfterStep.Add(ThreadTensors.Live);
            }
        }));

        liveAfterStep.Should().HaveCount(27);
        // From the first step of epoch 2 on: the best epoch's weights are held from the end of epoch 1.
        liveAfterStep.Skip(WarmUpSteps - 1).Distinct().Should().ContainSingle("the count after steps 5 to the last must not move (after each step: {0})", Listed(liveAfterStep));
    }

    [Fact]
    public void Prediction_LeavesNoTensorBehind()
    {
        var predictor = new SequenceClassifierPredictor(NewClassifier(), Encoder.SpecialTokenIds);
        var inputs = SentimentExamples().Select(example => example.Input).ToList();
        predictor.Predict(inputs, batchSize: 4);
        var before = ThreadTensors.Live;

        for (var pass = 0; pass < 20; pass++)
        {
            predictor.Predict(inputs, batchSize: 4);
        }

        ThreadTensors.Live.Should().Be(before);
    }

    private static string Listed(IEnumerable<long> counts) => string.Join(", ", counts);

    private static double Accuracy(float[][] logits, IReadOnlyList<float> targets) =>
        logits.Zip(targets).Average(pair => (pair.First[1] > pair.First[0] ? 1f : 0f) == pair.Second ? 1.0 : 0.0);
}
