using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using Tcd.MLNet.Estimators;
using Tcd.MLNet.Transformers;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using static TorchSharp.torch;

namespace Tcd.MLNet.Tests.Transformers;

/// <summary>
/// <c>MoveModel(model, device, ComputePrecision.BFloat16)</c>: predictions close to fp32's, and what saving, loading,
/// fine-tuning and continued pre-training make of a bfloat16 model. Each test converts its own copy of a shared fixture.
/// </summary>
public sealed class BFloat16InferenceTests : IDisposable
{
    /// <summary>bfloat16 keeps 8 bits of mantissa: a tiny model's probabilities move by a few thousandths.</summary>
    private const float ProbabilityTolerance = 0.02f;

    /// <summary>Below this distance from 0.5 an fp32 probability is too close to call for bfloat16.</summary>
    private const float ClearMargin = 0.05f;

    private static readonly string[] Texts = [.. TcdTestData.Positive, .. TcdTestData.Negative, "", "the cat sat on the mat", "a film"];

    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("tcd-bf16-tests-");
    private readonly MLContext mlContext = new(seed: 1);

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public void A_classifier_moved_to_bfloat16_computes_in_bfloat16_and_predicts_as_fp32_does_and_back_in_fp32_its_weights_keep_their_rounding()
    {
        var classifier = FineTunedClassifier(TcdTestData.Teacher);
        var exact = Predictions(classifier);

        mlContext.Tcd().MoveModel(classifier, "cpu", ComputePrecision.BFloat16);
        var approximate = Predictions(classifier);
        using var engine = mlContext.Model.CreatePredictionEngine<SentimentRow, BinaryPrediction>(classifier);
        var served = Texts.Select(text => engine.Predict(new SentimentRow { Text = text })).ToList();

        classifier.Model.parameters().Should().OnlyContain(weight => weight.dtype == ScalarType.BFloat16);
        approximate.Select(p => p.Probability).Should().NotEqual(exact.Select(p => p.Probability), "the network now computes in bfloat16");
        approximate.Select(p => p.Probability).Should().Equal(exact.Select(p => p.Probability), (a, b) => Math.Abs(a - b) < ProbabilityTolerance);
        var clear = Enumerable.Range(0, Texts.Length).Where(i => Math.Abs(exact[i].Probability - 0.5f) > ClearMargin).ToList();
        clear.Should().HaveCountGreaterThan(Texts.Length / 2, "the comparison of labels needs rows the fp32 model calls clearly");
        clear.Select(i => approximate[i].PredictedLabel).Should().Equal(clear.Select(i => exact[i].PredictedLabel));
        served.Select(p => p.Score).Should().Equal(approximate.Select(p => p.Score), (a, b) => Math.Abs(a - b) < 1e-5f, "PredictionEngine runs the same network");

        mlContext.Tcd().MoveModel(classifier, "cpu", ComputePrecision.Float32);

        classifier.Model.parameters().Should().OnlyContain(weight => weight.dtype == ScalarType.Float32);
        Predictions(classifier).Select(p => p.Probability).Should().Equal(exact.Select(p => p.Probability), (a, b) => Math.Abs(a - b) < ProbabilityTolerance);
        var rounded = classifier.Model.Bert.Embeddings.WordEmbeddingWeight;
        rounded.eq(rounded.to(ScalarType.BFloat16).to(ScalarType.Float32)).all().item<bool>().Should().BeTrue("converting back does not restore the fp32 weights");
        mlContext.Tcd().DisposeModel(classifier);
    }

    [Fact]
    public void SaveModel_writes_a_bfloat16_model_in_fp32_and_it_loads_in_fp32_predicting_as_it_did()
    {
        var classifier = FineTunedClassifier(TcdTestData.Teacher);
        mlContext.Tcd().MoveModel(classifier, "cpu", ComputePrecision.BFloat16);
        var beforeSaving = Predictions(classifier);
        var path = Path.Combine(folder.FullName, "bf16.tcd.zip");

        mlContext.Tcd().SaveModel(classifier, SentimentData().Schema, path);
        var loaded = (FineTunedBertTransformer)mlContext.Tcd().LoadModel(path, out _);

        StoredWeightTypes(path).Should().OnlyContain(type => type == "F32", "a model file is always fp32, the format models train in");
        classifier.Model.parameters().Should().OnlyContain(weight => weight.dtype == ScalarType.BFloat16, "saving does not convert the served model");
        loaded.Model.parameters().Should().OnlyContain(weight => weight.dtype == ScalarType.Float32, "the caller converts a loaded model again");
        Predictions(loaded).Select(p => p.Probability).Should().Equal(beforeSaving.Select(p => p.Probability), (a, b) => Math.Abs(a - b) < ProbabilityTolerance);
        mlContext.Tcd().DisposeModel(classifier);
        mlContext.Tcd().DisposeModel(loaded);
    }

    [Fact]
    public void A_pretrained_model_in_bfloat16_gives_features_close_to_fp32s_and_fine_tunes_and_pretrains_further_in_fp32()
    {
        var pretrained = Copy(TcdTestData.Teacher, TcdTestData.Corpus(mlContext).Schema, "teacher");
        var exact = Features(pretrained);

        mlContext.Tcd().MoveModel(pretrained, "cpu", ComputePrecision.BFloat16);
        var approximate = Features(pretrained);
        var classifier = FineTunedClassifier(pretrained);
        var regressor = mlContext.Tcd().Regressor(pretrained, new BertFineTuningOptions { Training = TcdTestData.FastFineTuning(1) })
            .Fit(mlContext.Data.LoadFromEnumerable(Scores()));
        var continued = mlContext.Tcd().PretrainTeacher(new BertPretrainingOptions { Model = TcdTestData.Tiny, Training = TcdTestData.FastPretraining(1), InitialModel = pretrained })
            .Fit(TcdTestData.Corpus(mlContext));

        pretrained.Model.parameters().Should().OnlyContain(weight => weight.dtype == ScalarType.BFloat16);
        approximate.Should().HaveCount(exact.Length);
        for (var row = 0; row < exact.Length; row++)
        {
            approximate[row].Should().NotEqual(exact[row]);
            CosineSimilarity(approximate[row], exact[row]).Should().BeGreaterThan(0.999, $"row {row}'s features, pooled in fp32 from bfloat16 states");
        }

        classifier.Model.parameters().Should().OnlyContain(weight => weight.dtype == ScalarType.Float32, "fine-tuning copies the weights into an fp32 model");
        regressor.Model.parameters().Should().OnlyContain(weight => weight.dtype == ScalarType.Float32, "fine-tuning copies the weights into an fp32 model");
        continued.Model.parameters().Should().OnlyContain(weight => weight.dtype == ScalarType.Float32, "continued pre-training copies the weights into an fp32 model");
        var exactScores = RegressionScores(regressor);
        mlContext.Tcd().MoveModel(regressor, "cpu", ComputePrecision.BFloat16);
        RegressionScores(regressor).Should().Equal(exactScores, (a, b) => Math.Abs(a - b) < 0.02f * Math.Max(1f, Math.Abs(b)));
        mlContext.Tcd().DisposeModel(pretrained);
        mlContext.Tcd().DisposeModel(classifier);
        mlContext.Tcd().DisposeModel(regressor);
        mlContext.Tcd().DisposeModel(continued);
    }

    [Fact]
    public void A_moe_model_in_bfloat16_routes_and_featurizes_close_to_fp32()
    {
        var moe = Copy(TcdTestData.Moe, TcdTestData.Corpus(mlContext).Schema, "moe");
        var exact = Features(moe);

        mlContext.Tcd().MoveModel(moe, "cpu", ComputePrecision.BFloat16);
        var approximate = Features(moe);

        moe.Model.parameters().Should().OnlyContain(weight => weight.dtype == ScalarType.BFloat16);
        for (var row = 0; row < exact.Length; row++)
        {
            CosineSimilarity(approximate[row], exact[row]).Should().BeGreaterThan(0.999, $"row {row}'s features");
        }

        mlContext.Tcd().DisposeModel(moe);
    }

    [Fact]
    public void MoveModel_refuses_an_undefined_precision_before_moving_anything()
    {
        var wrapped = new PretrainedBertTransformer(new BertForMaskedLm(TcdTestData.Tiny), Tcd.Models.Data.BertTextEncoder.CreateUncased(), maxSequenceLength: 32);

        var move = () => mlContext.Tcd().MoveModel(wrapped, "cpu", (ComputePrecision)7);

        move.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("precision");
        wrapped.Model.parameters().Should().OnlyContain(weight => weight.dtype == ScalarType.Float32);
        mlContext.Tcd().DisposeModel(wrapped);
    }

    /// <summary>A classifier of <see cref="TcdTestData.Sentiment"/> trained until its probabilities are clear of 0.5 (the shared one's are all ≈0.5).</summary>
    private FineTunedBertTransformer FineTunedClassifier(PretrainedBertTransformer pretrained) =>
        mlContext.Tcd().TextClassifier(pretrained, new BertFineTuningOptions { Training = TcdTestData.FastFineTuning(30) with { BatchSize = 4, LearningRate = 2e-3 } })
            .Fit(mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment()));

    private IDataView SentimentData() => mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment(1));

    private static IEnumerable<ScoreRow> Scores() =>
        TcdTestData.Positive.Select(text => new ScoreRow { Text = text, Label = 4 }).Concat(TcdTestData.Negative.Select(text => new ScoreRow { Text = text, Label = 1 }));

    /// <summary>A private copy of a shared, read-only fixture (saved and loaded), which a test may convert.</summary>
    private T Copy<T>(T model, DataViewSchema schema, string name)
        where T : ITransformer
    {
        var path = Path.Combine(folder.FullName, name + ".tcd.zip");
        mlContext.Tcd().SaveModel(model, schema, path);
        return (T)mlContext.Tcd().LoadModel(path, out _);
    }

    private List<BinaryPrediction> Predictions(ITransformer classifier)
    {
        var scored = classifier.Transform(mlContext.Data.LoadFromEnumerable(Texts.Select(text => new SentimentRow { Text = text })));
        return mlContext.Data.CreateEnumerable<BinaryPrediction>(scored, reuseRowObject: false).ToList();
    }

    private float[] RegressionScores(ITransformer regressor) =>
        regressor.Transform(mlContext.Data.LoadFromEnumerable(Texts.Select(text => new ScoreRow { Text = text }))).GetColumn<float>(FineTunedBertTransformer.ScoreColumnName).ToArray();

    private float[][] Features(PretrainedBertTransformer pretrained) =>
        pretrained.Transform(TcdTestData.Corpus(mlContext)).GetColumn<float[]>(pretrained.OutputColumnName).ToArray();

    /// <summary>The safetensors dtype of every weight of the model file's Tcd part.</summary>
    private IReadOnlyList<string> StoredWeightTypes(string modelFile)
    {
        var weights = Path.Combine(folder.FullName, "stored.safetensors");
        using (var zip = ZipFile.OpenRead(modelFile))
        {
            zip.Entries.Single(entry => entry.Name == BertModelStore.WeightsFileName).ExtractToFile(weights, overwrite: true);
        }

        return SafeTensorsFile.ReadHeader(weights).Select(entry => entry.DType).ToList();
    }

    private static double CosineSimilarity(float[] a, float[] b)
    {
        double dot = 0, normA = 0, normB = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * (double)b[i];
            normA += a[i] * (double)a[i];
            normB += b[i] * (double)b[i];
        }

        return dot / Math.Sqrt(normA * normB);
    }
}
