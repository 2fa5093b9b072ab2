package dev.kotune.inference;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/** POSTs a JSON body to the application under test over real HTTP. */
final class Rest {

    private Rest() {}

    static ValidatableResponse post(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).post(path).then();
    }
}
