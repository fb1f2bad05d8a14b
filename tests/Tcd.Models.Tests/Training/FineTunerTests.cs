using Tcd.Models.Modeling;
using Tcd.Models.Training;
using TorchSharp;
using static Tcd.Models.Tests.Training.FineTuningFixture;
using static Tcd.Models.Tests.Training.PretrainerFixture;
using Tcd.Models.Runtime;

namespace Tcd.Models.Tests.Training;

public sealed class FineTunerTests
{
    [Fact]
    public void Full_LossFallsAndTheSeparableTaskIsLearned()
    {
        var tuner = new FineTuner(NewClassifier(), Fast(epochs: 10), Encoder.SpecialTokenIds);
        var train = SentimentExamples();

        var result = tuner.Train(train);

        result.EpochLosses.Should().HaveCount(10);
        result.EpochLosses[^1].Should().BeLessThan(0.5 * result.EpochLosses[0]);
        result.BestEpoch.Should().Be(10);
        result.Cancelled.Should().BeFalse();
        var logits = tuner.Predict(train.Select(e => e.Input).ToList());
        logits.Should().HaveCount(train.Count).And.OnlyContain(row => row.Length == 2);
        var predicted = logits.Select(row => row[1] > row[0] ? 1f : 0f);
        predicted.Should().Equal(train.Select(e => e.Target));
    }

    [Fact]
    public void Regression_LossFalls()
    {
        var tuner = new FineTuner(NewClassifier(numLabels: 1), Fast(epochs: 10), Encoder.SpecialTokenIds);
        var train = SentimentExamples().Select(e => e with { Target = e.Target * 2f }).ToList();

        var result = tuner.Train(train);

        tuner.IsRegression.Should().BeTrue();
        result.EpochLosses[^1].Should().BeLessThan(0.3 * result.EpochLosses[0]);
        tuner.Predict(train.Select(e => e.Input).ToList()).Should().OnlyContain(row => row.Length == 1);
    }

    [Fact]
    public void Adapters_TrainOnlyAdaptersLayerNormsAndTheHead()
    {
        var model = NewClassifier();
        var tuner = new FineTuner(model, Fast(FineTuningMode.Adapters, epochs: 2), Encoder.SpecialTokenIds);
        var before = Snapshot(model);

        tuner.Train(SentimentExamples());

        var after = Snapshot(model);
        before.Keys.Should().Contain(name => name.Contains(".adapter.", StringComparison.Ordinal), "adapters of size 8 were inserted");
        foreach (var (name, values) in before)
        {
            var trainable = name.Contains(".adapter.", StringComparison.Ordinal)
                || name.Contains("LayerNorm.", StringComparison.Ordinal)
                || name.StartsWith("bert.pooler.", StringComparison.Ordinal)
                || name.StartsWith("classifier.", StringComparison.Ordinal);
            if (trainable)
            {
                after[name].Should().NotEqual(values, $"{name} is trained in adapter mode");
            }
            else
            {
                after[name].Should().Equal(values, $"{name} is frozen in adapter mode");
            }
        }

        model.Config.AdapterSize.Should().Be(8);
    }

    [Fact]
    public void BestEpoch_RestoresTheWeightsOfTheBestDevScore()
    {
        var model = NewClassifier();
        var tuner = new FineTuner(model, Fast(epochs: 3), Encoder.SpecialTokenIds);
        var scripted = new Queue<double>([10, 30, 20]);
        var weightsAtEpoch = new List<Dictionary<string, float[]>>();
        var data = SentimentExamples();
        var summaries = new List<FineTuningProgress>();

        var result = tuner.Train(data, data, (logits, targets) =>
        {
            logits.Should().HaveCount(targets.Count);
            weightsAtEpoch.Add(Snapshot(model));
            return scripted.Dequeue();
        }, new SynchronousProgress<FineTuningProgress>(report => { if (report.IsEpochSummary) { summaries.Add(report); } }));

        result.EpochScores.Should().Equal(10, 30, 20);
        summaries.Select(s => (s.Epoch, s.ValidationScore)).Should().Equal((1, 10.0), (2, 30.0), (3, 20.0));
        summaries[1].ToString().Should().StartWith($"epoch 2 done at step {summaries[1].Step}/").And.Contain("mean loss=").And.Contain("val=30.00");
        result.BestEpoch.Should().Be(2);
        result.BestScore.Should().Be(30);
        var final = Snapshot(model);
        foreach (var (name, values) in weightsAtEpoch[1])
        {
            final[name].Should().Equal(values, $"{name} must hold epoch 2's weights");
        }

        final["classifier.weight"].Should().NotEqual(weightsAtEpoch[2]["classifier.weight"]);
    }

    [Fact]
    public void BadLabel_ThrowsNamingTheExampleAndTheValidRange()
    {
        var tuner = new FineTuner(NewClassifier(), Fast(), Encoder.SpecialTokenIds);
        var train = SentimentExamples();
        train[3] = train[3] with { Target = 2f };

        var act = () => tuner.Train(train);

        act.Should().Throw<ArgumentException>()
            .WithMessage("*Example 3*label 2*0..1*")
            .And.ParamName.Should().Be("train");
    }

    [Theory]
    [InlineData(0.5f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    public void BadValidationLabel_Throws(float label)
    {
        var tuner = new FineTuner(NewClassifier(), Fast(), Encoder.SpecialTokenIds);
        var validation = SentimentExamples();
        validation[0] = validation[0] with { Target = label };

        var act = () => tuner.Train(SentimentExamples(), validation, (_, _) => 0);

        act.Should().Throw<ArgumentException>().WithMessage("*Example 0*").And.ParamName.Should().Be("validation");
    }

    [Fact]
    public void NonFiniteRegressionTarget_Throws()
    {
        var tuner = new FineTuner(NewClassifier(numLabels: 1), Fast(), Encoder.SpecialTokenIds);
        var train = SentimentExamples();
        train[1] = train[1] with { Target = float.PositiveInfinity };

        var act = () => tuner.Train(train);

        act.Should().Throw<ArgumentException>().WithMessage("*Example 1*finite*");
    }

    [Fact]
    public void MetricsFile_HasARowPerReportAndPerEpoch_EachWithEveryColumn()
    {
        var folder = Directory.CreateTempSubdirectory("tcd-finetune-metrics-");
        try
        {
            var path = Path.Combine(folder.FullName, "metrics.csv");
            var tuner = new FineTuner(NewClassifier(), Fast(epochs: 2) with { LogEvery = 2, MetricsFile = path }, Encoder.SpecialTokenIds);

            var result = tuner.Train(SentimentExamples(), SentimentExamples(), (_, _) => 0.5);

            var lines = File.ReadAllLines(path);
            lines[0].Should().Be("step,epoch,loss,lr,epoch_loss,val_score");
            var rows = lines.Skip(1).Select(line => line.Split(',')).ToList();
            // 3 steps an epoch, reported at steps 2, 4 and 6, and each epoch's end at steps 3 and 6.
            rows.Select(row => row[0]).Should().Equal("2", "3", "4", "6", "6");
            rows.Where(row => row[4].Length > 0).Select(row => double.Parse(row[4], System.Globalization.CultureInfo.InvariantCulture))
                .Should().Equal(result.EpochLosses, (a, b) => Math.Abs(a - b) < 1e-9);
            rows.Should().OnlyContain(row => (row[2].Length == 0) == (row[4].Length > 0), "a row is a step report (loss) or an epoch's summary (epoch_loss)");
            rows.Where(row => row[5].Length > 0).Select(row => row[5]).Should().Equal("0.5", "0.5");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void MetricsFile_OfARunShorterThanLogEvery_HasItsLastStepWithTheLossOfAllItsSteps()
    {
        var folder = Directory.CreateTempSubdirectory("tcd-finetune-metrics-");
        try
        {
            var path = Path.Combine(folder.FullName, "metrics.csv");
            var tuner = new FineTuner(NewClassifier(), Fast(epochs: 2) with { LogEvery = 10, MetricsFile = path }, Encoder.SpecialTokenIds);
            var reports = new List<FineTuningProgress>();

            var result = tuner.Train(SentimentExamples(), progress: new SynchronousProgress<FineTuningProgress>(reports.Add));

            var rows = File.ReadAllLines(path).Skip(1).Select(line => line.Split(',')).ToList();
            // 3 steps an epoch: no multiple of 10 is reached, but the last step, 6, reports the loss since the epoch began.
            rows.Select(row => row[0]).Should().Equal("3", "6", "6");
            var lastStep = rows.Single(row => row[2].Length > 0);
            lastStep[0].Should().Be("6");
            double.Parse(lastStep[2], System.Globalization.CultureInfo.InvariantCulture).Should().BeApproximately(result.EpochLosses[^1], 1e-9);
            reports.Where(report => !report.IsEpochSummary).Should().ContainSingle().Which.Step.Should().Be(6);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Validation_ReportsItsProgressInTenthsOfTheValidationSet()
    {
        var tuner = new FineTuner(NewClassifier(), Fast(epochs: 1), Encoder.SpecialTokenIds);
        var train = SentimentExamples();
        var validation = Enumerable.Repeat(train, 100 / train.Count + 1).SelectMany(examples => examples).Take(100).ToList();
        var reports = new List<FineTuningProgress>();

        tuner.Train(train, validation, (_, _) => 1, new SynchronousProgress<FineTuningProgress>(reports.Add));

        var scoring = reports.Where(report => report.ValidationExamplesScored is not null).ToList();
        scoring.Select(report => report.ValidationExamplesScored).Should().Equal([32, 64, 96, 100], "the examples are scored 32 at a time, each batch past another tenth");
        scoring.Should().OnlyContain(report => report.ValidationExamples == 100 && report.Epoch == 1 && !report.IsEpochSummary);
        scoring[0].ToString().Should().StartWith("epoch 1 validating: 32/100 examples");
        scoring[0].EstimatedRemaining.Should().BeGreaterThan(TimeSpan.Zero, "the rest of the pass is still to come after the last step");
        scoring[^1].EstimatedRemaining.Should().Be(TimeSpan.Zero);
        reports.IndexOf(scoring[^1]).Should().BeLessThan(reports.FindIndex(report => report.IsEpochSummary), "the pass is reported while it runs, before the epoch's summary");
    }

    [Fact]
    public void Batches_grouped_by_length_hold_every_example_once_and_far_less_padding()
    {
        var random = new Random(3);
        var lengths = Enumerable.Range(0, 1_000).Select(_ => random.Next(5, 120)).ToArray();
        var shuffled = Enumerable.Range(0, lengths.Length).ToArray();
        random.Shuffle(shuffled);

        var batches = FineTuner.LengthGroupedBatches(shuffled, index => lengths[index], batchSize: 8, new Random(4));

        batches.Should().HaveCount(125, "as many batches as plain batching gives");
        // Sorted rather than BeEquivalentTo, which matches 1,000 items pair by pair through reflection (seconds).
        batches.SelectMany(batch => batch).Order().Should().Equal(Enumerable.Range(0, lengths.Length), "each example is in one batch, once");
        static long Padded(IEnumerable<int[]> batches, int[] lengths) => batches.Sum(batch => (long)batch.Length * batch.Max(index => lengths[index]));
        Padded(batches, lengths).Should().BeLessThan(lengths.Sum() * 11L / 10, "a batch of like lengths is hardly padded");
        Padded(shuffled.Chunk(8), lengths).Should().BeGreaterThan(lengths.Sum() * 3L / 2, "random batches are padded to their longest");
        batches.Select(batch => batch.Max(index => lengths[index])).Should().NotBeInAscendingOrder("the batches are shuffled, not served shortest first");
    }

    [Fact]
    public void The_first_steps_ETA_counts_the_dev_passes_to_come_before_any_has_run()
    {
        var tuner = new FineTuner(NewClassifier(), Fast(epochs: 2) with { BatchSize = 12 }, Encoder.SpecialTokenIds);
        var train = SentimentExamples();
        // Each dev pass reads 50 times the tokens of a step, at about a third of a step's cost per token.
        var validation = Enumerable.Repeat(train, 50).SelectMany(examples => examples).ToList();
        var reports = new List<FineTuningProgress>();

        tuner.Train(train, validation, (_, _) => 1, new SynchronousProgress<FineTuningProgress>(reports.Add));

        var first = reports.First();
        first.Step.Should().Be(1);
        first.EstimatedRemaining.Should().BeGreaterThan(10 * first.Elapsed,
            "one step and two dev passes of ≈17 steps' time each are left, where the steps' pace alone would say one step");
        reports.Last().EstimatedRemaining.Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void Cancellation_StopsAndReportsCancelled()
    {
        var tuner = new FineTuner(NewClassifier(), Fast(), Encoder.SpecialTokenIds);
        using var cancellation = new CancellationTokenSource();
        var reports = new List<FineTuningProgress>();

        var result = tuner.Train(SentimentExamples(), progress: new SynchronousProgress<FineTuningProgress>(report =>
        {
            reports.Add(report);
            cancellation.Cancel();
        }), cancellationToken: cancellation.Token);

        result.Cancelled.Should().BeTrue();
        reports[0].Step.Should().Be(1);
        reports.Max(r => r.Step).Should().Be(1);
        result.EpochLosses.Should().ContainSingle().Which.Should().BeApproximately(reports[0].Loss, 1e-9, "the cancelled epoch's mean covers the one step it ran");
        reports.Should().NotContain(report => report.IsEpochSummary, "an epoch cut short is not reported as done");
        result.BestEpoch.Should().Be(0);
        result.ToString().Should().Be(FormattableString.Invariant($"cancelled: mean loss per epoch {result.EpochLosses[0]:F4}; no epoch completed"));
    }

    [Fact]
    public void Adapters_InitialisationFollowsTheSeed()
    {
        Dictionary<string, float[]> AdapterWeights(long seed)
        {
            var model = NewClassifier(seed: seed);
            _ = new FineTuner(model, Fast(FineTuningMode.Adapters) with { Seed = 11 }, Encoder.SpecialTokenIds);
            return Snapshot(model).Where(kv => kv.Key.Contains(".adapter.", StringComparison.Ordinal)).ToDictionary();
        }

        var first = AdapterWeights(seed: 1);
        var second = AdapterWeights(seed: 2);

        first.Should().NotBeEmpty();
        foreach (var (name, values) in first)
        {
            second[name].Should().Equal(values, $"{name} is drawn from FineTuningOptions.Seed, not from the caller's generator state");
        }
    }

    [Fact]
    public void DivergingLoss_StopsBeforeTheWeightsTakeIt_NamingStepEpochAndLoss()
    {
        var model = NewClassifier();
        var tuner = new FineTuner(model, Fast(epochs: 3) with { LearningRate = 1e6, WarmupRatio = 0 }, Encoder.SpecialTokenIds);

        var act = () => tuner.Train(SentimentExamples(), SentimentExamples(), (_, _) => 0);

        var error = act.Should().Throw<TrainingDivergedException>().Which;
        error.Epoch.Should().NotBeNull();
        error.Step.Should().BeGreaterThan(0);
        error.LastGoodCheckpoint.Should().BeNull();
        error.Message.Should().Contain($"step {error.Step} (epoch {error.Epoch})").And.Contain("loss is").And.Contain("LearningRate").And.NotContain("checkpoint");
        Snapshot(model).Values.SelectMany(values => values).Should().OnlyContain(value => float.IsFinite(value), "the non-finite loss's gradient was never applied");
    }

    [Fact]
    public void BestEpoch_IsNeverOneWhoseScoreIsNaN()
    {
        var tuner = new FineTuner(NewClassifier(), Fast(epochs: 3), Encoder.SpecialTokenIds);
        var scripted = new Queue<double>([double.NaN, 10, 5]);
        var data = SentimentExamples();

        var result = tuner.Train(data, data, (_, _) => scripted.Dequeue());

        result.BestEpoch.Should().Be(2);
        result.BestScore.Should().Be(10);
    }

    [Fact]
    public void ExamplesOfALargerVocabularyThanTheModels_AreRefusedBeforeLibtorchSeesThem()
    {
        torch.manual_seed(5);
        var tuner = new FineTuner(new BertForSequenceClassification(Vanilla with { VocabSize = 1000 }, 2), Fast(), Encoder.SpecialTokenIds);
        var examples = SentimentExamples();
        var largest = examples[0].Input.InputIds.Max();

        var train = () => tuner.Train(examples);
        var predict = () => tuner.Predict([examples[0].Input]);

        train.Should().Throw<ArgumentException>().WithMessage($"Example 0 has token id {largest} but the model's VocabSize is 1000*use the vocabulary the model was trained with*");
        predict.Should().Throw<ArgumentException>().WithMessage("Example 0 has token id *VocabSize is 1000*");
    }

    [Fact]
    public void Predict_RefusesAnInputLongerThanTheModelsPositions()
    {
        var tuner = new FineTuner(NewClassifier(), Fast(), Encoder.SpecialTokenIds);
        var tooLong = Encoder.Encode(string.Join(' ', Enumerable.Repeat("good", Vanilla.MaxPositions + 5)), maxSequenceLength: Vanilla.MaxPositions + 1);

        var act = () => tuner.Predict([tooLong]);

        act.Should().Throw<ArgumentException>().WithMessage($"Example 0 has {Vanilla.MaxPositions + 1} tokens; at most {Vanilla.MaxPositions} fit (model MaxPositions*");
    }

    [Fact]
    public void Threads_AreSetWhenTrainingStarts()
    {
        var tuner = new FineTuner(NewClassifier(), Fast(epochs: 1) with { Threads = 1 }, Encoder.SpecialTokenIds);
        torch.set_num_threads(2);

        tuner.Train(SentimentExamples().Take(4).ToList());

        torch.get_num_threads().Should().Be(1);
    }

    [Theory]
    [InlineData(nameof(FineTuningOptions.LearningRate), double.PositiveInfinity)]
    [InlineData(nameof(FineTuningOptions.LearningRate), double.NaN)]
    [InlineData(nameof(FineTuningOptions.LearningRate), 0)]
    [InlineData(nameof(FineTuningOptions.WarmupRatio), double.NaN)]
    [InlineData(nameof(FineTuningOptions.WarmupRatio), 1.5)]
    [InlineData(nameof(FineTuningOptions.WeightDecay), double.PositiveInfinity)]
    [InlineData(nameof(FineTuningOptions.WeightDecay), -0.1)]
    [InlineData(nameof(FineTuningOptions.MaxGradientNorm), double.NaN)]
    [InlineData(nameof(FineTuningOptions.Threads), 0)]
    public void Validate_RefusesNonFiniteOrOutOfRangeNumbers_NamingTheOption(string option, double value)
    {
        var options = option switch
        {
            nameof(FineTuningOptions.LearningRate) => new FineTuningOptions { LearningRate = value },
            nameof(FineTuningOptions.WarmupRatio) => new FineTuningOptions { WarmupRatio = value },
            nameof(FineTuningOptions.WeightDecay) => new FineTuningOptions { WeightDecay = value },
            nameof(FineTuningOptions.MaxGradientNorm) => new FineTuningOptions { MaxGradientNorm = value },
            _ => new FineTuningOptions { Threads = (int)value },
        };

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(option);
    }
}
