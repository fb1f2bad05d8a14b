using Microsoft.ML;
using Microsoft.ML.Data;
using Tcd.MLNet.Estimators;
using Tcd.Models.Interop;
using Tcd.Models.Modeling;

namespace Tcd.MLNet.Tests.Serialization;

public sealed class PretrainedModelLoaderTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("tcd-mlnet-loader-tests-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public void A_model_file_a_store_folder_a_run_folder_and_a_Hugging_Face_folder_load_with_the_same_features()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TcdTestData.Corpus(mlContext);
        var expected = Features(TcdTestData.Teacher.Transform(data));
        var file = Path.Combine(folder.FullName, "teacher.zip");
        var store = Path.Combine(folder.FullName, "store");
        var huggingFace = Path.Combine(folder.FullName, "hf");
        var run = Path.Combine(folder.FullName, "run");
        mlContext.Tcd().SaveModel(TcdTestData.Teacher, data.Schema, file);
        BertModelStore.Save(TcdTestData.Teacher.Model, TcdTestData.Teacher.Config, store);
        HuggingFaceExporter.Save(TcdTestData.Teacher.Model, huggingFace);
        BertModelStore.Save(TcdTestData.Teacher.Model, TcdTestData.Teacher.Config, Path.Combine(run, "model"));

        foreach (var path in new[] { file, store, huggingFace, run })
        {
            var loaded = mlContext.Tcd().LoadPretrained(path, outputColumnName: "Embedding");
            loaded.Config.Should().Be(TcdTestData.Teacher.Config, path);
            var features = loaded.Transform(data).GetColumn<float[]>("Embedding").ToList();
            features.Zip(expected).Should().OnlyContain(pair => pair.First.Zip(pair.Second).All(v => Math.Abs(v.First - v.Second) < 1e-5), path);
        }
    }

    [Fact]
    public void A_fine_tuned_file_or_a_missing_path_is_an_error_naming_the_path()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment(1));
        var classifier = mlContext.Tcd().TextClassifier(TcdTestData.Teacher, new BertFineTuningOptions { Training = TcdTestData.FastFineTuning(1) }).Fit(data);
        var file = Path.Combine(folder.FullName, "classifier.zip");
        mlContext.Tcd().SaveModel(classifier, data.Schema, file);

        var fineTuned = () => mlContext.Tcd().LoadPretrained(file);
        fineTuned.Should().Throw<InvalidDataException>().WithMessage("*classifier.zip*no pre-trained*");
        var missing = () => mlContext.Tcd().LoadPretrained(Path.Combine(folder.FullName, "nowhere"));
        missing.Should().Throw<FileNotFoundException>().WithMessage("*nowhere*");
        var empty = () => mlContext.Tcd().LoadPretrained(folder.FullName);
        empty.Should().Throw<FileNotFoundException>().WithMessage("*config.json*");
    }

    private static List<float[]> Features(IDataView data) => data.GetColumn<float[]>("Features").ToList();
}
