//! The benchmark's reference: async-graphql on actix-web answering a query that touches nothing,
//! with the same number of workers as the platform. `cargo run --release -p api --example bare -- PORT`

use actix_web::{App, HttpServer, web};
use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};
use async_graphql_actix_web::{GraphQLRequest, GraphQLResponse};

struct Query;

#[Object]
impl Query {
    /// Always "ok".
    async fn ok(&self) -> &'static str {
        "ok"
    }
}

type Bare = Schema<Query, EmptyMutation, EmptySubscription>;

async fn graphql(schema: web::Data<Bare>, request: GraphQLRequest) -> GraphQLResponse {
    schema.execute(request.into_inner()).await.into()
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(8090);
    let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
    HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(schema.clone()))
            .route("/graphql", web::post().to(graphql))
    })
    .workers(2)
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
