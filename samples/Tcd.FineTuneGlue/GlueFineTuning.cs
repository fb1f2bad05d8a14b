using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Tcd.MLNet;
using Tcd.MLNet.Estimators;
using Tcd.MLNet.Transformers;
using Tcd.Models.Data;
using Tcd.Models.Data.Glue;
using Tcd.Models.Evaluation;
using Tcd.Models.Training;
using Tcd.Samples;
using Tcd.Models.Runtime;

namespace Tcd.FineTuneGlue;

/// <summary>
/// Fine-tunes a pre-trained model on one GLUE task through the ML.NET API: GLUE TSV → IDataView, MapValueToKey for the
/// label names, the Tcd fine-tuning estimator, ML.NET's evaluator plus the task's GLUE metrics, SaveModel.
/// </summary>
internal sealed class GlueFineTuning(FineTuneSettings settings, TextWriter console)
{
    private const string KeyColumn = "Label";
    private readonly Stopwatch clock = Stopwatch.StartNew();

    public int Execute(CancellationToken cancellationToken)
    {
        var task = GlueTask.FromName(settings.Task);
        // Checked before the tiny teacher's pre-training, which a wrong path would otherwise only follow.
        SampleInputs.RequireGlueFiles(settings.GlueDirectory, task);
        // For the whole run: pre-training, fine-tuning and scoring the dev set all run libtorch.
        TorchRuntime.SetThreads(settings.Threads);
        var mlContext = new MLContext(seed: (int)settings.Seed);
        var pretrained = SampleModels.LoadOrPretrain(mlContext, settings.Model, settings.Corpus, settings.PretrainSteps, settings.Device, settings.Seed, Say, cancellationToken);
        Say($"Model: {pretrained.Config.NumLayers} layers, hidden {pretrained.Config.HiddenSize}, {(pretrained.Config.ExpertCount > 0 ? UserMessages.Count(pretrained.Config.ExpertCount, "expert") : "no experts")}, {pretrained.Config.CountParameters() / 1e6:F1} M parameters.");

        var reader = new GlueReader(settings.GlueDirectory, new GlueReaderOptions { OnMalformedRow = GlueMalformedRowHandling.Skip });
        var train = Load(mlContext, reader, task, "train", settings.MaxTrainExamples);
        var dev = Load(mlContext, reader, task, task.EvaluationSplits[0], maxRows: null);
        Say($"{task.Name}: {Count(train)} training rows, {Count(dev)} {task.EvaluationSplits[0]} rows; {(settings.Adapters > 0 ? $"adapters of size {settings.Adapters}" : "full fine-tuning")}, {UserMessages.Count(settings.Epochs, "epoch")}, lr {LearningRate:G3}.");

        if (new CheckpointStore(CheckpointFolder(task)).FindLatestWithStep() is { } checkpoint)
        {
            Say($"Resuming fine-tuning at step {checkpoint.Step} from {checkpoint.Path}.");
        }

        var (model, scored) = task.IsRegression
            ? FitRegressor(mlContext, pretrained, task, train, dev, cancellationToken)
            : FitClassifier(mlContext, pretrained, task, train, dev, cancellationToken);
        var result = task.IsRegression ? GlueRegression(task, scored) : GlueClassification(task, scored);
        Say($"GLUE {task.Name} {task.EvaluationSplits[0]}: {string.Join(", ", result.Metrics.Select(m => $"{GlueMetrics.DisplayName(m.Key)} {m.Value:F1}"))}; task score {result.Score:F1}");

        Directory.CreateDirectory(settings.Output);
        var path = Path.Combine(settings.Output, $"{task.Name}.tcd.zip");
        mlContext.Tcd().SaveModel(model, train.Schema, path);
        Say($"Saved the fitted chain to {path}; load it with mlContext.Tcd().LoadModel(path, out var schema).");
        return 0;
    }

    private string CheckpointFolder(GlueTask task) => Path.Combine(settings.Output, $"{task.Name}.checkpoints");

    private double LearningRate => settings.LearningRate ?? (settings.Adapters > 0 ? 1e-3 : 1e-4);

    private (ITransformer Model, IDataView Scored) FitClassifier(
        MLContext mlContext, PretrainedBertTransformer pretrained, GlueTask task, IDataView train, IDataView dev, CancellationToken cancellationToken)
    {
        // The key order is GLUE's label order, so key k is label index k - 1 as the GLUE metrics expect.
        var labelNames = mlContext.Data.LoadFromEnumerable(task.LabelNames.Select(name => new LabelNameRow { LabelName = name }));
        var labelKeys = mlContext.Transforms.Conversion.MapValueToKey(KeyColumn, nameof(GlueRow.LabelName), keyData: labelNames);
        var options = FineTuningOptions(task, labelKeys.Fit(dev).Transform(dev), cancellationToken);
        var classifier = task.IsSentencePair
            ? mlContext.Tcd().SentencePairClassifier(pretrained, options with { PairColumnName = nameof(GlueRow.Pair) })
            : mlContext.Tcd().TextClassifier(pretrained, options);
        var model = labelKeys
            .Append(classifier)
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabelName", "PredictedLabel"))
            .Fit(train);
        var scored = model.Transform(dev);
        var metrics = mlContext.MulticlassClassification.Evaluate(scored, KeyColumn);
        Say($"ML.NET multiclass metrics: micro accuracy {metrics.MicroAccuracy:P1}, macro accuracy {metrics.MacroAccuracy:P1}, log-loss {metrics.LogLoss:F3}");
        console.WriteLine(ConfusionTable.Format(metrics.ConfusionMatrix, task.LabelNames));
        return (model, scored);
    }

    private (ITransformer Model, IDataView Scored) FitRegressor(
        MLContext mlContext, PretrainedBertTransformer pretrained, GlueTask task, IDataView train, IDataView dev, CancellationToken cancellationToken)
    {
        var options = FineTuningOptions(task, dev, cancellationToken) with { LabelColumnName = nameof(GlueRow.Target), PairColumnName = task.IsSentencePair ? nameof(GlueRow.Pair) : null };
        var model = mlContext.Tcd().Regressor(pretrained, options).Fit(train);
        var scored = model.Transform(dev);
        var metrics = mlContext.Regression.Evaluate(scored, nameof(GlueRow.Target));
        Say($"ML.NET regression metrics: RMSE {metrics.RootMeanSquaredError:F3}, MAE {metrics.MeanAbsoluteError:F3}, R² {metrics.RSquared:F3}");
        return (model, scored);
    }

    private BertFineTuningOptions FineTuningOptions(GlueTask task, IDataView validation, CancellationToken cancellationToken) => new()
    {
        LabelColumnName = KeyColumn,
        FineTuning = settings.Adapters > 0 ? FineTuning.Adapters(settings.Adapters) : FineTuning.Full,
        Training = new FineTuningOptions
        {
            Epochs = settings.Epochs, LearningRate = LearningRate, BatchSize = settings.BatchSize, MaxSequenceLength = settings.MaxSequenceLength,
            Device = settings.Device, Seed = settings.Seed, LogEvery = 20,
            // A stopped Fit (Ctrl+C) saves a checkpoint here, and the same command resumes from it; a finished one deletes it.
            CheckpointDirectory = CheckpointFolder(task),
        },
        ValidationData = validation,
        // The epoch kept is the best by the task's GLUE score in percent (MCC for CoLA, mean of F1 and accuracy for MRPC
        // and QQP, ...), as tcd finetune and the GLUE suite select, not by ML.NET's default accuracy fraction.
        ValidationScore = (outputs, targets) => GlueMetrics.EvaluateOutputs(task, outputs, targets).Score,
        Progress = new SynchronousProgress<FineTuningProgress>(row => Say($"[fine-tuning] {row}")),
        CancellationToken = cancellationToken,
    };

    private static GlueTaskResult GlueClassification(GlueTask task, IDataView scored)
    {
        var predictions = scored.GetColumn<uint>("PredictedLabel").Select(key => (int)key - 1).ToArray();
        var labels = scored.GetColumn<uint>(KeyColumn).Select(key => (int)key - 1).ToArray();
        return GlueMetrics.Evaluate(task, predictions, labels);
    }

    private static GlueTaskResult GlueRegression(GlueTask task, IDataView scored) =>
        GlueMetrics.Evaluate(task, scored.GetColumn<float>("Score").ToArray(), scored.GetColumn<float>(nameof(GlueRow.Target)).ToArray());

    /// <summary>Reads a split, at most <paramref name="maxRows"/> of it as a fixed random sample, and notes the malformed rows it skips.</summary>
    private IDataView Load(MLContext mlContext, GlueReader reader, GlueTask task, string split, int? maxRows)
    {
        var report = new GlueReadReport();
        var rows = TrainingSample.Draw(reader.Read(task, split, report).ToList(), maxRows);
        if (report.DescribeSkipped() is { } skipped)
        {
            Say("note: " + skipped);
        }

        return mlContext.Data.LoadFromEnumerable(rows.Select(example => new GlueRow
        {
            Text = example.Text,
            Pair = example.TextPair ?? string.Empty,
            LabelName = example.Label is { } label ? task.LabelNames[label] : string.Empty,
            Target = example.Score ?? float.NaN,
        }).ToList());
    }

    private static long Count(IDataView data) => data.GetRowCount() ?? 0;

    private sealed class LabelNameRow
    {
        public string LabelName { get; set; } = string.Empty;
    }

    private void Say(string line) => console.WriteLine(FormattableString.Invariant($"{clock.Elapsed:hh\\:mm\\:ss} {line}"));
}
