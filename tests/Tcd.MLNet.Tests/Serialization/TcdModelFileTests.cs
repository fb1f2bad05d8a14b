using System.IO.Compression;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Tcd.MLNet.Estimators;
using Tcd.MLNet.Transformers;

namespace Tcd.MLNet.Tests.Serialization;

public sealed class TcdModelFileTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("tcd-mlnet-tests-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public void A_lone_pretrained_transformer_round_trips_with_identical_features()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TcdTestData.Corpus(mlContext);
        var path = Path.Combine(folder.FullName, "models", "new", "teacher.zip");

        mlContext.Tcd().SaveModel(TcdTestData.Teacher, data.Schema, path);
        File.Exists(path).Should().BeTrue("SaveModel creates the missing folders");
        Directory.GetFiles(Path.GetDirectoryName(path)!).Should().ContainSingle("the temporary file is gone");
        var intoFolder = () => mlContext.Tcd().SaveModel(TcdTestData.Teacher, data.Schema, folder.FullName);
        intoFolder.Should().Throw<IOException>().WithMessage("*it is a folder; give a file name such as*");
        var underFile = () => mlContext.Tcd().SaveModel(TcdTestData.Teacher, data.Schema, Path.Combine(path, "teacher.zip"));
        underFile.Should().Throw<IOException>().WithMessage($"The model file's folder '{path}' is a file; give a folder*");
        var fresh = new MLContext(seed: 2);
        var loaded = fresh.Tcd().LoadModel(path, out var inputSchema);

        loaded.Should().BeOfType<PretrainedBertTransformer>().Which.Pooling.Should().Be(TcdTestData.Teacher.Pooling);
        inputSchema["Text"].Type.Should().Be(TextDataViewType.Instance);
        Features(fresh, loaded.Transform(data)).Should().BeEquivalentTo(Features(mlContext, TcdTestData.Teacher.Transform(data)), o => o.WithStrictOrdering());
        using var zip = ZipFile.OpenRead(path);
        zip.Entries.Select(e => e.FullName).Should().Contain(["manifest.json", "input-schema.zip", "parts/0/config.json", "parts/0/model.safetensors", "parts/0/vocab.txt"]);
    }

    [Fact]
    public void A_chain_mixing_MLNET_and_Tcd_transformers_round_trips_with_identical_predictions()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(TcdTestData.Topics());
        var model = mlContext.Transforms.Conversion.MapValueToKey("Label", "Topic")
            .Append(mlContext.Tcd().TextClassifier(TcdTestData.Teacher, new BertFineTuningOptions { Training = TcdTestData.FastFineTuning(1), FineTuning = FineTuning.Adapters(8) }))
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedTopic", "PredictedLabel"))
            .Fit(data);
        var path = Path.Combine(folder.FullName, "chain.zip");

        mlContext.Tcd().SaveModel(model, data.Schema, path);
        var fresh = new MLContext(seed: 2);
        var loaded = fresh.Tcd().LoadModel(path, out var inputSchema);

        loaded.Should().BeAssignableTo<IEnumerable<ITransformer>>().Which.Should().HaveCount(3);
        inputSchema.Select(c => c.Name).Should().Equal("Text", "Topic");
        var expected = Predictions(mlContext, model.Transform(data));
        var actual = Predictions(fresh, loaded.Transform(fresh.Data.LoadFromEnumerable(TcdTestData.Topics())));
        actual.Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
        using var engine = fresh.Model.CreatePredictionEngine<TopicRow, TopicPrediction>(loaded);
        engine.Predict(TcdTestData.Topics().First()).PredictedTopic.Should().Be(expected[0].PredictedTopic);
    }

    [Fact]
    public void A_newer_format_version_a_truncated_file_and_the_wrong_kind_of_model_give_clear_errors()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TcdTestData.Corpus(mlContext);
        var path = Path.Combine(folder.FullName, "teacher.zip");
        mlContext.Tcd().SaveModel(TcdTestData.Teacher, data.Schema, path);

        var newer = Path.Combine(folder.FullName, "newer.zip");
        File.Copy(path, newer);
        using (var zip = ZipFile.Open(newer, ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry("manifest.json")!;
            string json;
            using (var reader = new StreamReader(entry.Open()))
            {
                json = reader.ReadToEnd();
            }

            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry("manifest.json").Open(), Encoding.UTF8);
            writer.Write(json.Replace("\"FormatVersion\": 1", "\"FormatVersion\": 99", StringComparison.Ordinal));
        }

        var loadNewer = () => mlContext.Tcd().LoadModel(newer, out _);
        loadNewer.Should().Throw<InvalidDataException>().WithMessage("*newer Tcd.MLNet*format version 99*up to 2*");

        var truncated = Path.Combine(folder.FullName, "truncated.zip");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var loadTruncated = () => mlContext.Tcd().LoadModel(truncated, out _);
        loadTruncated.Should().Throw<InvalidDataException>().WithMessage("*truncated*");

        var mlnet = Path.Combine(folder.FullName, "mlnet.zip");
        mlContext.Model.Save(mlContext.Transforms.CopyColumns("Copy", "Text").Fit(data), data.Schema, mlnet);
        var loadMlNet = () => mlContext.Tcd().LoadModel(mlnet, out _);
        loadMlNet.Should().Throw<InvalidDataException>().WithMessage("*is an ML.NET model file*mlContext.Model.Load*");

        var leftover = Path.Combine(folder.FullName, "leftover.zip");
        var failedSave = () => mlContext.Model.Save(mlContext.Transforms.CopyColumns("Copy", "Text").Fit(data).Append(TcdTestData.Teacher), data.Schema, leftover);
        failedSave.Should().Throw<NotSupportedException>();
        var loadLeftover = () => mlContext.Tcd().LoadModel(leftover, out _);
        loadLeftover.Should().Throw<InvalidDataException>().WithMessage("*is what a failed mlContext.Model.Save left behind*mlContext.Tcd().SaveModel*");

        // ML.NET's message for a Tcd file, which the docs of SaveModel and the README quote.
        var loadWithMlNet = () => mlContext.Model.Load(path, out _);
        loadWithMlNet.Should().Throw<InvalidOperationException>().WithMessage("Could not load legacy format model*");
    }

    private static List<float[]> Features(MLContext mlContext, IDataView data) =>
        mlContext.Data.CreateEnumerable<FeatureRow>(data, reuseRowObject: false).Select(r => r.Features).ToList();

    private static List<TopicPrediction> Predictions(MLContext mlContext, IDataView data) =>
        mlContext.Data.CreateEnumerable<TopicPrediction>(data, reuseRowObject: false).ToList();

    private sealed class FeatureRow
    {
        public float[] Features { get; set; } = [];
    }

    private sealed class TopicPrediction
    {
        public string PredictedTopic { get; set; } = string.Empty;

        public float[] Score { get; set; } = [];
    }
}
