using Microsoft.ML;
using Microsoft.ML.Data;
using Tcd.MLNet.Estimators;
using Tcd.MLNet.Transformers;
using Tcd.Models.Interop;
using Tcd.Models.Modeling;

namespace Tcd.MLNet.Tests.Serialization;

public sealed class FineTunedModelLoaderTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("tcd-mlnet-classifier-loader-tests-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public void A_classifier_folder_scores_as_the_fitted_classifier_did()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment(1));
        var fitted = mlContext.Tcd().TextClassifier(TcdTestData.Teacher, new BertFineTuningOptions { Training = TcdTestData.FastFineTuning(1) }).Fit(data);
        var store = Path.Combine(folder.FullName, "store");
        var huggingFace = Path.Combine(folder.FullName, "hf");
        BertModelStore.Save(fitted.Model, fitted.Config, store);
        HuggingFaceExporter.Save(fitted.Model, huggingFace);
        var expected = fitted.Transform(data).GetColumn<float>("Score").ToList();

        foreach (var path in new[] { store, huggingFace })
        {
            var loaded = mlContext.Tcd().LoadClassifier(path);

            loaded.Kind.Should().Be(BertPredictionKind.BinaryClassification, path);
            var scored = loaded.Transform(data);
            scored.GetColumn<float>("Score").Zip(expected).Should().OnlyContain(pair => Math.Abs(pair.First - pair.Second) < 1e-5, path);
        }
    }

    [Fact]
    public void A_multiclass_folder_names_its_classes_and_wrong_folders_are_explained()
    {
        var mlContext = new MLContext(seed: 1);
        var classifierFolder = Path.Combine(folder.FullName, "topics");
        using (var classifier = BertForSequenceClassification.FromPretrained(TcdTestData.Teacher.Model, 3))
        {
            BertModelStore.Save(classifier, classifier.Config, classifierFolder);
        }

        var data = mlContext.Data.LoadFromEnumerable(TcdTestData.Topics());
        var loaded = mlContext.Tcd().LoadClassifier(classifierFolder, classNames: ["sport", "finance", "weather"]);
        var named = mlContext.Transforms.Conversion.MapKeyToValue("PredictedTopic", "PredictedLabel").Fit(loaded.Transform(data)).Transform(loaded.Transform(data));

        loaded.Kind.Should().Be(BertPredictionKind.MulticlassClassification);
        named.GetColumn<string>("PredictedTopic").Should().OnlyContain(topic => topic == "sport" || topic == "finance" || topic == "weather");
        var wrongCount = () => mlContext.Tcd().LoadClassifier(classifierFolder, classNames: ["yes", "no"]);
        wrongCount.Should().Throw<ArgumentException>().WithMessage("2 class names were given, but the classifier in*has 3 output(s)*");
        var pretrainedFolder = Path.Combine(folder.FullName, "pretrained");
        BertModelStore.Save(TcdTestData.Teacher.Model, TcdTestData.Teacher.Config, pretrainedFolder);
        var pretrained = () => mlContext.Tcd().LoadClassifier(pretrainedFolder);
        pretrained.Should().Throw<InvalidDataException>().WithMessage("*pre-trained masked-language model*Fine-tune it first*");
        var savedFile = Path.Combine(folder.FullName, "topics.tcd.zip");
        File.WriteAllText(savedFile, "a file of SaveModel");
        var file = () => mlContext.Tcd().LoadClassifier(savedFile);
        file.Should().Throw<InvalidDataException>().WithMessage("*topics.tcd.zip' is a file, not a model folder*LoadModel(path, out var inputSchema)*");
    }
}
