using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using Tcd.MLNet.Estimators;
using Tcd.MLNet.Transformers;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using static TorchSharp.torch;

namespace Tcd.MLNet.Tests.Transformers;

public sealed class PairFeaturesTests : IDisposable
{
    private static readonly PairRow[] Pairs =
    [
        new() { Sentence1 = "the cat sat on the mat.", Sentence2 = "a cat was sitting on a mat.", Label = true },
        new() { Sentence1 = "the dog sat on the log.", Sentence2 = "the dog flew to the moon.", Label = false },
        new() { Sentence1 = "a bird sang in the tree.", Sentence2 = "a bird was singing.", Label = true },
        new() { Sentence1 = "the sun was warm.", Sentence2 = "it was freezing cold.", Label = false },
        new() { Sentence1 = "the cat sat on the mat.", Sentence2 = "", Label = false },
    ];

    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("tcd-pair-features-tests-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public void Pair_features_are_the_pooled_states_of_the_pair_encoded_as_BERT_encodes_one_and_not_those_of_the_first_text()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Pairs);
        var teacher = TcdTestData.Teacher;

        var pairs = mlContext.Tcd().Featurize(teacher, textColumnName: "Sentence1", pairColumnName: "Sentence2");
        var firstAlone = mlContext.Tcd().Featurize(teacher, textColumnName: "Sentence1");

        pairs.Model.Should().BeSameAs(teacher.Model, "the featurizer runs the same network, not a copy");
        pairs.PairColumnName.Should().Be("Sentence2");
        pairs.Pooling.Should().Be(teacher.Pooling);
        var schema = pairs.GetOutputSchema(data.Schema);
        schema["Features"].Type.Should().Be(new VectorDataViewType(NumberDataViewType.Single, teacher.Config.HiddenSize));
        var features = Features(pairs.Transform(data));
        features.Should().AllSatisfy(row => row.Should().HaveCount(teacher.Config.HiddenSize));
        var reference = Pairs.Select(row => MeanPooledStates(teacher, row.Sentence1, row.Sentence2)).ToList();
        features.Should().Equal(reference, (actual, expected) => actual.Zip(expected).All(p => Math.Abs(p.First - p.Second) < 1e-5));
        var single = Features(firstAlone.Transform(data));
        for (var row = 0; row < Pairs.Length; row++)
        {
            features[row].Zip(single[row]).Max(p => Math.Abs(p.First - p.Second)).Should().BeGreaterThan(1e-3f, $"row {row} ('{Pairs[row].Sentence2}') adds a second segment");
        }
    }

    [Fact]
    public void A_pipeline_with_a_pair_featurizer_round_trips_with_its_pair_column_pooling_and_features()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Pairs);
        var pairs = mlContext.Tcd().Featurize(TcdTestData.Teacher, "Sentence1", "Sentence2", outputColumnName: "PairFeatures", pooling: FeaturePooling.Cls);
        var model = new TransformerChain<ITransformer>(pairs, mlContext.Transforms.NormalizeMinMax("PairFeatures").Fit(pairs.Transform(data)));
        var path = Path.Combine(folder.FullName, "pairs.tcd.zip");

        mlContext.Tcd().SaveModel(model, data.Schema, path);
        var fresh = new MLContext(seed: 2);
        var loaded = fresh.Tcd().LoadModel(path, out _);

        var featurizer = loaded.Should().BeAssignableTo<IEnumerable<ITransformer>>().Which.First().Should().BeOfType<PretrainedBertTransformer>().Which;
        featurizer.TextColumnName.Should().Be("Sentence1");
        featurizer.PairColumnName.Should().Be("Sentence2");
        featurizer.OutputColumnName.Should().Be("PairFeatures");
        featurizer.Pooling.Should().Be(FeaturePooling.Cls);
        Features(loaded.Transform(data), "PairFeatures").Should().BeEquivalentTo(Features(model.Transform(data), "PairFeatures"), o => o.WithStrictOrdering());
        using var zip = ZipFile.OpenRead(path);
        using var manifest = new StreamReader(zip.GetEntry("manifest.json")!.Open());
        manifest.ReadToEnd().Should().Contain("\"FormatVersion\": 2", "a reader of version 1 would drop the pair column")
            .And.NotContain("SharesNetworkOf", "a file without a shared network keeps the format that readers of version 2 load");
    }

    [Fact]
    public void A_pair_column_that_is_not_text_is_refused_naming_it()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(new[] { new { Sentence1 = "the cat sat.", Score = 1f } });
        var pairs = mlContext.Tcd().Featurize(TcdTestData.Teacher, "Sentence1", "Score");

        var transform = () => pairs.Transform(data);
        var schema = () => pairs.GetOutputSchema(data.Schema);

        transform.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Column 'Score' (second text of the pair) has type Single*String*");
        schema.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Column 'Score' (second text of the pair)*");
    }

    [Fact]
    public void Pair_features_feed_an_MLNET_trainer_and_a_prediction_engine()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Enumerable.Repeat(Pairs, 3).SelectMany(rows => rows));
        var pairs = mlContext.Tcd().Featurize(TcdTestData.Teacher, "Sentence1", "Sentence2");
        var trainer = mlContext.BinaryClassification.Trainers.SdcaLogisticRegression(labelColumnName: "Label", featureColumnName: "Features", maximumNumberOfIterations: 20);

        var model = new TransformerChain<ITransformer>(pairs, trainer.Fit(mlContext.Data.Cache(pairs.Transform(data))));

        mlContext.BinaryClassification.Evaluate(model.Transform(data)).Accuracy.Should().BeInRange(0, 1);
        using var engine = mlContext.Model.CreatePredictionEngine<PairRow, BinaryPrediction>(model);
        engine.Predict(Pairs[0]).Probability.Should().BeInRange(0, 1);
    }

    [Fact]
    public void A_featurizer_and_its_source_share_one_network_so_moving_or_disposing_either_acts_on_both()
    {
        var mlContext = new MLContext(seed: 1);
        var options = TcdTestData.PretrainingOptions<BertPretrainingOptions>();
        options.Training = TcdTestData.FastPretraining(1);
        var teacher = mlContext.Tcd().PretrainTeacher(options).Fit(TcdTestData.Corpus(mlContext));
        var pairs = mlContext.Tcd().Featurize(teacher, "Sentence1", "Sentence2");
        var data = mlContext.Data.LoadFromEnumerable(Pairs);

        mlContext.Tcd().MoveModel(pairs, "cpu", ComputePrecision.BFloat16);
        teacher.Model.parameters().Should().OnlyContain(parameter => parameter.dtype == ScalarType.BFloat16);
        Features(teacher.Transform(TcdTestData.Corpus(mlContext))).Should().HaveCount(12, "the source still predicts after the move");

        mlContext.Tcd().DisposeModel(pairs);
        var fromSource = () => Features(teacher.Transform(TcdTestData.Corpus(mlContext)));
        fromSource.Should().Throw<ObjectDisposedException>().WithMessage("*released by mlContext.Tcd().DisposeModel*");
        var fromFeaturizer = () => Features(pairs.Transform(data));
        fromFeaturizer.Should().Throw<ObjectDisposedException>();
    }

    /// <summary>The reference: the pair encoded by the tokeniser, run through the encoder and mean-pooled, all at the Tcd.Models level.</summary>
    private static float[] MeanPooledStates(PretrainedBertTransformer pretrained, string text, string pair)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var encoded = pretrained.Encoder.Encode(text, pair, pretrained.MaxSequenceLength);
        long[] shape = [1, encoded.Length];
        var inputIds = tensor(encoded.InputIds.Select(id => (long)id).ToArray(), shape);
        var tokenTypes = tensor(encoded.TokenTypeIds.Select(id => (long)id).ToArray(), shape);
        var states = pretrained.Model.Bert.forward(inputIds, tokenTypes, ones_like(inputIds), EncoderTaps.None).SequenceOutput;
        return states.mean([1]).squeeze(0).to(ScalarType.Float32).data<float>().ToArray();
    }

    private static List<float[]> Features(IDataView view, string column = "Features") => view.GetColumn<float[]>(column).ToList();

    private sealed class PairRow
    {
        public string Sentence1 { get; set; } = string.Empty;

        public string Sentence2 { get; set; } = string.Empty;

        public bool Label { get; set; }
    }
}
