using System.Diagnostics;
using Tcd.Models.Data;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Tcd.Models.Training;

/// <summary>
/// Fine-tunes a sequence classifier or regressor (GLUE-style), fully or with Houlsby adapters, with AdamW, linear
/// warm-up and decay. With a validation set and a scorer, the weights of the best epoch are kept — the paper's
/// selection on dev. A step whose loss is NaN or infinite stops the run with <see cref="TrainingDivergedException"/>
/// before it changes the weights.
/// </summary>
public sealed class FineTuner
{
    private const long ShuffleStream = -3;
    private const long DropoutStream = -4;
    private const long AdapterInitStream = -5;

    private readonly FineTuningOptions options;
    private readonly BatchCollator collator;

    /// <summary>
    /// Prepares <paramref name="model"/> for fine-tuning. In adapter mode, adapters of
    /// <see cref="FineTuningOptions.AdapterSize"/> are inserted (unless the model already has adapters) and everything
    /// but adapters, LayerNorms and the task head is frozen.
    /// </summary>
    public FineTuner(BertForSequenceClassification model, FineTuningOptions options, SpecialTokenIds specialTokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(specialTokens);
        options.Validate();
        Model = model;
        this.options = options;
        collator = new BatchCollator(specialTokens);
        if (options.Mode == FineTuningMode.Adapters)
        {
            if (model.Config.AdapterSize == 0)
            {
                // Adapter weights are drawn from the global generator: seed it so a run is reproducible.
                torch.manual_seed(Seeds.Combine(options.Seed, AdapterInitStream, 0));
                model.EnableAdapters(options.AdapterSize);
            }
            else if (model.Config.AdapterSize != options.AdapterSize)
            {
                throw new ArgumentException(
                    $"The model already has adapters of size {model.Config.AdapterSize}, but AdapterSize is {options.AdapterSize}. " +
                    "Start from a model without adapters, or set AdapterSize to the existing size.", nameof(options));
            }

            model.FreezeForAdapterTuning();
        }
    }

    /// <summary>The model being fine-tuned.</summary>
    public BertForSequenceClassification Model { get; }

    /// <summary>True when the model has one output (regression, e.g. STS-B).</summary>
    public bool IsRegression => Model.NumLabels == 1;

    /// <summary>
    /// Trains on <paramref name="train"/>; see the class remarks for validation and best-epoch selection. An epoch whose
    /// validation score is NaN is never the best one.
    /// </summary>
    /// <param name="train">Training examples; targets are class indices or scores.</param>
    /// <param name="validation">Optional validation examples.</param>
    /// <param name="score">Scores validation outputs (one row of logits per example, and the targets); higher is better.</param>
    /// <param name="progress">Progress every <see cref="FineTuningOptions.LogEvery"/> steps and after each epoch.</param>
    /// <param name="cancellationToken">
    /// Stops after the current step. With validation the best validated epoch's weights are restored; see
    /// <see cref="FineTuningResult.BestEpoch"/>.
    /// </param>
    /// <exception cref="ArgumentException">
    /// An example is longer than the model or <see cref="FineTuningOptions.MaxSequenceLength"/> allows, has a token id the
    /// model's vocabulary lacks, or has an invalid target.
    /// </exception>
    /// <exception cref="TrainingDivergedException">A step's loss was NaN or infinite.</exception>
    public FineTuningResult Train(
        IReadOnlyList<FineTuningExample> train,
        IReadOnlyList<FineTuningExample>? validation = null,
        Func<float[][], IReadOnlyList<float>, double>? score = null,
        IProgress<FineTuningProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0)
        {
            throw new ArgumentException("The training set is empty.", nameof(train));
        }

        ValidateExamples(train, nameof(train));
        if (validation is not null)
        {
            ValidateExamples(validation, nameof(validation));
        }

        TorchRuntime.SetThreads(options.Threads);
        var device = TorchRuntime.ResolveDevice(options.Device);
        if (options.ReuseNativeMemory)
        {
            NativeAllocator.KeepFreedMemoryForReuse();
        }

        Model.to(device);
        var stepsPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        var totalSteps = (long)stepsPerEpoch * options.Epochs;
        var schedule = LinearWarmupDecaySchedule.WithWarmupRatio(options.LearningRate, options.WarmupRatio, totalSteps);
        using var optimizer = AdamWFactory.Create(Model, options.LearningRate, options.WeightDecay);

        var epochLosses = new List<double>();
        var epochScores = new List<double>();
        Dictionary<string, Tensor>? bestWeights = null;
        var bestEpoch = 0;
        double? bestScore = null;
        var clock = Stopwatch.StartNew();
        long step = 0;
        var cancelled = false;
        for (var epoch = 1; epoch <= options.Epochs && !cancelled; epoch++)
        {
            var order = Enumerable.Range(0, train.Count).ToArray();
            new Random(unchecked((int)Seeds.Combine(options.Seed, ShuffleStream, epoch))).Shuffle(order);
            double epochLoss = 0, reportLoss = 0;
            int epochSteps = 0, reportSteps = 0;
            foreach (var batchIndices in order.Chunk(options.BatchSize))
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    cancelled = true;
                    break;
                }

                var loss = TrainStep(batchIndices.Select(i => train[i]).ToList(), device, optimizer, schedule.LearningRateAt(step), epoch, step);
                epochLoss += loss;
                epochSteps++;
                reportLoss += loss;
                reportSteps++;
                step++;
                if (step % options.LogEvery == 0)
                {
                    progress?.Report(Report(epoch, step, totalSteps, reportLoss / reportSteps, schedule.LearningRateAt(step - 1), null, clock.Elapsed));
                    reportLoss = 0;
                    reportSteps = 0;
                }
            }

            if (epochSteps == 0)
            {
                break;
            }

            // A cancelled epoch's mean covers only the steps it ran.
            epochLosses.Add(epochLoss / epochSteps);
            double? epochScore = null;
            if (validation is { Count: > 0 } && score is not null && !cancelled)
            {
                epochScore = score(Predict(validation.Select(e => e.Input).ToList(), cancellationToken: cancellationToken), validation.Select(e => e.Target).ToList());
                epochScores.Add(epochScore.Value);
                if (!double.IsNaN(epochScore.Value) && (bestScore is null || epochScore > bestScore))
                {
                    bestScore = epochScore;
                    bestEpoch = epoch;
                    DisposeAll(bestWeights);
                    bestWeights = CopyWeights();
                }
            }
            else if (!cancelled)
            {
                bestEpoch = epoch;
            }

            if (!cancelled)
            {
                progress?.Report(Report(epoch, step, totalSteps, epochLosses[^1], schedule.LearningRateAt(Math.Max(0, step - 1)), epochScore, clock.Elapsed) with { IsEpochSummary = true });
            }
        }

        if (bestWeights is not null)
        {
            RestoreWeights(bestWeights);
            DisposeAll(bestWeights);
        }

        return new FineTuningResult(epochLosses, epochScores, bestEpoch, bestScore, cancelled);
    }

    /// <summary>
    /// Runs the model in eval mode without gradients in batches and returns one row of outputs per input (logits of
    /// each class, or the single regression output).
    /// </summary>
    /// <exception cref="ArgumentException">An input is longer than the model's MaxPositions or has a token id its vocabulary lacks.</exception>
    public float[][] Predict(IReadOnlyList<EncodedText> inputs, int? batchSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        RequireInputsFit(inputs, Model.Config.MaxPositions, $"model MaxPositions {Model.Config.MaxPositions}", nameof(inputs));
        var device = Model.parameters().First().device;
        var wasTraining = Model.training;
        Model.eval();
        try
        {
            using var noGrad = torch.no_grad();
            var rows = new List<float[]>(inputs.Count);
            foreach (var chunk in inputs.Chunk(batchSize ?? Math.Max(options.BatchSize, 32)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                using var batch = collator.Collate(chunk, device);
                var logits = Model.forward(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, EncoderTaps.None).Logits;
                var flat = logits.to(ScalarType.Float32).cpu().data<float>().ToArray();
                for (var i = 0; i < chunk.Length; i++)
                {
                    rows.Add(flat.AsSpan(i * Model.NumLabels, Model.NumLabels).ToArray());
                }
            }

            return rows.ToArray();
        }
        finally
        {
            Model.train(wasTraining);
        }
    }

    private double TrainStep(IReadOnlyList<FineTuningExample> examples, Device device, TorchSharp.Modules.AdamW optimizer, double learningRate, int epoch, long step)
    {
        using var scope = torch.NewDisposeScope();
        Model.train();
        torch.manual_seed(Seeds.Combine(options.Seed, DropoutStream, step));
        // Unset gradients are stored by the backward pass, zero-filled ones would be read, added to and written again.
        Model.zero_grad(set_to_none: true);
        using var batch = collator.Collate(examples.Select(e => e.Input).ToList(), device);
        var logits = Model.forward(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, EncoderTaps.None).Logits;
        var targets = torch.tensor(examples.Select(e => e.Target).ToArray(), device: device);
        var loss = IsRegression
            ? nn.functional.mse_loss(logits.squeeze(-1).to(ScalarType.Float32), targets)
            : nn.functional.cross_entropy(logits.to(ScalarType.Float32), targets.to(ScalarType.Int64));
        var value = loss.item<float>();
        if (!float.IsFinite(value))
        {
            throw TrainingDivergedException.InFineTuning(epoch, step + 1, IsRegression ? "the mean squared error loss" : "the cross-entropy loss", value);
        }

        loss.backward();
        AdamWFactory.Step(optimizer, learningRate, options.MaxGradientNorm);
        return value;
    }

    private void ValidateExamples(IReadOnlyList<FineTuningExample> examples, string parameterName)
    {
        RequireInputsFit(
            examples.Select(example => example.Input).ToList(),
            Math.Min(options.MaxSequenceLength, Model.Config.MaxPositions),
            $"MaxSequenceLength {options.MaxSequenceLength}, model MaxPositions {Model.Config.MaxPositions}",
            parameterName);
        for (var i = 0; i < examples.Count; i++)
        {
            var target = examples[i].Target;
            var valid = IsRegression
                ? float.IsFinite(target)
                : target >= 0 && target < Model.NumLabels && target == MathF.Floor(target);
            if (!valid)
            {
                throw new ArgumentException(
                    IsRegression
                        ? $"Example {i} has regression target {target}; targets must be finite numbers."
                        : $"Example {i} has label {target}; labels must be class indices in 0..{Model.NumLabels - 1}.",
                    parameterName);
            }
        }
    }

    /// <summary>
    /// Refuses inputs the model cannot embed before libtorch does so with "index out of range in self": one longer than
    /// <paramref name="maxLength"/> (whose origin <paramref name="limits"/> names), or one with a token id outside the vocabulary.
    /// </summary>
    private void RequireInputsFit(IReadOnlyList<EncodedText> inputs, int maxLength, string limits, string parameterName)
    {
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            if (input.Length > maxLength)
            {
                throw new ArgumentException(
                    $"Example {i} has {input.Length} tokens; at most {maxLength} fit ({limits}). " +
                    $"Encode it with BertTextEncoder.Encode(text, pair, maxLength: {maxLength}).",
                    parameterName);
            }

            if (input.Length > 0)
            {
                Model.Config.RequireTokenIdFits(input.InputIds.Max(), $"Example {i}", "model");
            }
        }
    }

    private Dictionary<string, Tensor> CopyWeights()
    {
        using var noGrad = torch.no_grad();
        return Model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
    }

    private void RestoreWeights(Dictionary<string, Tensor> weights)
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, tensor) in Model.state_dict())
        {
            tensor.copy_(weights[name]);
        }
    }

    private static void DisposeAll(Dictionary<string, Tensor>? weights)
    {
        foreach (var tensor in weights?.Values ?? Enumerable.Empty<Tensor>())
        {
            tensor.Dispose();
        }
    }

    private static FineTuningProgress Report(int epoch, long step, long totalSteps, double loss, double learningRate, double? score, TimeSpan elapsed) =>
        new(epoch, step, totalSteps, loss, learningRate, score, elapsed, TimeSpan.FromSeconds(elapsed.TotalSeconds / Math.Max(1, step) * (totalSteps - step)));
}
