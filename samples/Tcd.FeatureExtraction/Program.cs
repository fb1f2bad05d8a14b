using System.CommandLine;
using Microsoft.ML;
using Microsoft.ML.Data;
using Tcd.FeatureExtraction;
using Tcd.MLNet;
using Tcd.Models.Data.Glue;
using Tcd.Models.Runtime;
using Tcd.Samples;

var dataFolder = Path.Combine(AppContext.BaseDirectory, "data");
var model = SampleCommandLine.Model();
var glue = new Option<string>("--glue") { Description = "GLUE folder with SST-2/train.tsv and SST-2/dev.tsv.", DefaultValueFactory = _ => Path.Combine(dataFolder, "glue") };
var corpus = SampleCommandLine.Corpus();
var pretrainSteps = SampleCommandLine.PretrainSteps();
var sentence = new Option<string>("--sentence") { Description = "A sentence to classify with the PredictionEngine at the end.", DefaultValueFactory = _ => "a gripping, beautifully acted film" };
var output = new Option<string>("--out") { Description = "Folder of the saved pipeline (sst2-features-sdca.tcd.zip).", DefaultValueFactory = _ => Path.Combine("runs", "feature-extraction") };
var device = SampleCommandLine.Device("pre-training only, the featurizer runs where the model is");
var threads = SampleCommandLine.Threads();
var seed = new Option<long>("--seed") { Description = "Seed of pre-training and of the SDCA trainer.", DefaultValueFactory = _ => 42 };

var root = new RootCommand(
    "Uses a pre-trained Tcd model as an ML.NET featurizer: SST-2 sentences → PretrainedBertTransformer (mean-pooled features) → " +
    "min-max normalisation → SdcaLogisticRegression. Prints ML.NET's binary classification metrics on the dev slice and a " +
    "PredictionEngine prediction, and saves the pipeline with mlContext.Tcd().SaveModel.")
{
    model, glue, corpus, pretrainSteps, sentence, output, device, threads, seed,
};

root.SetAction((parse, cancellationToken) => Task.FromResult(Run(parse, cancellationToken)));

return await SampleCommandLine.InvokeAsync(root, args);

int Run(ParseResult parse, CancellationToken cancellationToken)
{
    try
    {
        // For the whole run: pre-training, featurizing and prediction all run libtorch.
        TorchRuntime.SetThreads(parse.GetValue(threads));
        // Checked before the tiny teacher's pre-training, which a wrong path would otherwise only follow.
        SampleInputs.RequireGlueFiles(parse.GetValue(glue)!, GlueTask.Sst2);
        var mlContext = new MLContext(seed: (int)parse.GetValue(seed));
        var featurizer = SampleModels.LoadOrPretrain(
            mlContext, parse.GetValue(model), parse.GetValue(corpus)!, parse.GetValue(pretrainSteps), parse.GetValue(device)!, parse.GetValue(seed), Console.WriteLine, cancellationToken);
        var reader = new GlueReader(parse.GetValue(glue)!);
        IDataView Load(string split) => mlContext.Data.LoadFromEnumerable(
            reader.Read(GlueTask.Sst2, split).Select(example => new SentimentRow { Text = example.Text, Label = example.Label == 1 }).ToList());
        var train = Load("train");
        var dev = Load("dev");

        // The featurizer is already fitted: it runs before the estimators, and a TransformerChain joins it to what they fit.
        var pipeline = mlContext.Transforms.NormalizeMinMax("Features")
            .Append(mlContext.BinaryClassification.Trainers.SdcaLogisticRegression(labelColumnName: "Label", featureColumnName: "Features"));
        Console.WriteLine($"Featurizing {train.GetRowCount()} SST-2 training sentences into {featurizer.Config.HiddenSize} features and training SDCA logistic regression.");
        // SDCA passes over the data many times: cache the features so the network runs once per sentence.
        var classifier = pipeline.Fit(mlContext.Data.Cache(featurizer.Transform(train)));
        var chain = new TransformerChain<ITransformer>(featurizer, classifier);

        var metrics = mlContext.BinaryClassification.Evaluate(chain.Transform(dev));
        Console.WriteLine($"SST-2 dev ({dev.GetRowCount()} sentences): accuracy {metrics.Accuracy:P1}, AUC {metrics.AreaUnderRocCurve:F3}, F1 {metrics.F1Score:F3}, log-loss {metrics.LogLoss:F3}");
        Console.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());

        var engine = mlContext.Model.CreatePredictionEngine<SentimentRow, SentimentPrediction>(chain);
        var text = parse.GetValue(sentence)!;
        var prediction = engine.Predict(new SentimentRow { Text = text });
        Console.WriteLine($"PredictionEngine: \"{text}\" → {(prediction.PredictedLabel ? "positive" : "negative")} (probability {prediction.Probability:F3})");

        // Featurizing and SDCA take no token; a stop asked for meanwhile still keeps the pipeline from being saved.
        cancellationToken.ThrowIfCancellationRequested();
        Directory.CreateDirectory(parse.GetValue(output)!);
        var path = Path.Combine(parse.GetValue(output)!, "sst2-features-sdca.tcd.zip");
        mlContext.Tcd().SaveModel(chain, train.Schema, path);
        Console.WriteLine($"Saved the pipeline to {path}.");
        return 0;
    }
    catch (OperationCanceledException)
    {
        // Ctrl+C (or a SIGTERM) stops the tiny teacher's pre-training at its next step, or the run before it saves.
        Console.Error.WriteLine("Cancelled; nothing was saved.");
        return 130;
    }
    catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or ArgumentException)
    {
        Console.Error.WriteLine($"error: {UserMessages.Readable(ex)}");
        return 1;
    }
}
